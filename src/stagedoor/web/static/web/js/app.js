// Small progressive enhancements shared by every page. Page modules live next to their app.
(() => {
  "use strict";

  const csrfToken = () => {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
  };

  // The header's account menu: a disclosure button (aria-expanded) that works with a mouse,
  // a tap and the keyboard (Enter/Space toggle, ArrowDown opens on the first item, Escape
  // closes and gives focus back to the button; leaving the menu closes it).
  function setupMenu(menu) {
    const button = menu.querySelector("[data-menu-button]");
    const panel = menu.querySelector("[data-menu-panel]");
    if (!button || !panel) return;
    const items = () => [...panel.querySelectorAll("a, button")].filter((el) => el.offsetParent !== null);
    const open = (focusFirst) => {
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      if (focusFirst && items()[0]) items()[0].focus();
    };
    const close = (refocus) => {
      if (panel.hidden) return;
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      if (refocus) button.focus();
    };
    button.addEventListener("click", () => (panel.hidden ? open(false) : close(false)));
    button.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        open(true);
      }
    });
    panel.addEventListener("keydown", (event) => {
      const list = items();
      const at = list.indexOf(document.activeElement);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        list[(at + step + list.length) % list.length].focus();
      }
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close(true);
    });
    menu.addEventListener("focusout", (event) => {
      if (event.relatedTarget && !menu.contains(event.relatedTarget)) close(false);
    });
    document.addEventListener("pointerdown", (event) => {
      if (!menu.contains(event.target)) close(false);
    });
  }

  // The header's balance follows every other balance on the page (the tip panel, the wallet).
  function mirrorBalance() {
    const target = document.querySelector("[data-header-balance]");
    if (!target) return;
    const chip = target.closest("[data-balance-chip]");
    const show = (value) => {
      const text = String(value).trim();
      if (!/^\d+$/.test(text) || target.textContent === text) return;
      target.textContent = text;
      if (chip) chip.setAttribute("aria-label", `Wallet: ${text} tokens`);
    };
    document.querySelectorAll("[data-wallet-balance], [data-testid=wallet-balance]").forEach((source) => {
      new MutationObserver(() => show(source.textContent)).observe(source, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    document.addEventListener("stagedoor:balance", (event) => show(event.detail && event.detail.balance));
  }

  // <details data-collapse-below="980">: open on wide screens, closed (one tap away) on narrow ones.
  function collapseOnNarrow() {
    document.querySelectorAll("details[data-collapse-below]").forEach((details) => {
      const query = window.matchMedia(`(max-width: ${Number(details.dataset.collapseBelow)}px)`);
      if (query.matches) details.open = false;
    });
  }

  // Follow buttons outside the room page (the directory's offline performers).
  async function toggleFollow(button) {
    const following = button.dataset.following === "true";
    button.disabled = true;
    try {
      const response = await fetch(`/api/v1/rooms/${encodeURIComponent(button.dataset.followRoom)}/follow`, {
        method: following ? "DELETE" : "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      if (!response.ok) return;
      const body = await response.json();
      button.dataset.following = String(body.following);
      const label = button.querySelector("[data-follow-label]") || button;
      label.textContent = body.following ? "Following" : "Follow";
      button.classList.toggle("btn-primary", !body.following);
      button.classList.toggle("btn-ghost", body.following);
      const count = button.closest("[data-performer]")?.querySelector("[data-followers]");
      if (count) count.textContent = `${body.followers} follower${body.followers === 1 ? "" : "s"}`;
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    // Send Django's CSRF token with htmx requests.
    document.body.addEventListener("htmx:configRequest", (event) => {
      const token = csrfToken();
      if (token) event.detail.headers["X-CSRFToken"] = token;
    });
    document.querySelectorAll("[data-menu]").forEach(setupMenu);
    mirrorBalance();
    collapseOnNarrow();
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-follow-room]");
      if (button) toggleFollow(button);
    });
    // Fade out flash messages after a few seconds.
    document.querySelectorAll(".flash").forEach((el) => setTimeout(() => el.remove(), 8000));
  });
})();
