// The tip panel (wallet/_tip_panel.html): send tips through the API and keep the goal current.
// Retries of one submission reuse its idempotency key, so a flaky network never tips twice; a click while
// a tip is on its way is ignored.
(() => {
  "use strict";
  const POLL_MS = 2000;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return "tip-" + crypto.randomUUID();
    return "tip-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function csrfToken(panel) {
    const input = panel.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? cookie.split("=")[1] : "";
  }

  const ATTEMPTS = 5;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // How long to wait before the next attempt: the server's Retry-After (seconds) if it sent one.
  function backoff(response, attempt) {
    const seconds = response ? Number.parseInt(response.headers.get("Retry-After") || "", 10) : NaN;
    return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : 400 * 2 ** attempt;
  }

  // One click = one tip. Every attempt of a click sends the same Idempotency-Key: the server answers a
  // retry of a tip it already charged with that tip (201), never charges twice, and refuses a different
  // request under the key. A network error, a 5xx or a 429 is retried; any other 4xx is the answer
  // (shown, not retried). If no attempt got through, the outcome is looked up by the key.
  async function sendTip(panel, body) {
    const key = newKey();
    let lastError = null;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      let response = null;
      try {
        response = await fetch("/api/v1/tips", {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "X-CSRFToken": csrfToken(panel),
            "Idempotency-Key": key,
          },
          body: JSON.stringify(body),
        });
      } catch (error) {
        lastError = error; // the answer was lost: the tip may or may not have been sent
      }
      if (response) {
        const data = await response.json().catch(() => ({}));
        if (response.ok) return data;
        if (response.status < 500 && response.status !== 429) {
          throw Object.assign(new Error(data.message || "Tip refused."), { final: true });
        }
        lastError = new Error(data.message || "The server is busy.");
      }
      if (attempt < ATTEMPTS - 1) await sleep(backoff(response, attempt));
    }
    const found = await lookUp(key);
    if (found) return found;
    if (found === null) throw new Error("The tip was not sent (nothing was charged). Try again.");
    throw Object.assign(new Error("We could not confirm this tip. Check your wallet history before tipping again."), { cause: lastError });
  }

  // The tip sent with `key`: the tip, null if none was (404), undefined if we could not tell.
  async function lookUp(key) {
    try {
      const response = await fetch(`/api/v1/tips/by-key/${encodeURIComponent(key)}`, { credentials: "same-origin" });
      if (response.ok) return await response.json();
      if (response.status === 404) return null;
    } catch (_error) {
      // still offline
    }
    return undefined;
  }

  function setText(root, selector, value) {
    const el = root.querySelector(selector);
    if (el) el.textContent = value;
  }

  function render(panel, data) {
    const goalBox = panel.querySelector("[data-goal]");
    if (goalBox) {
      if (data.goal) {
        goalBox.hidden = false;
        setText(goalBox, "[data-goal-title]", data.goal.title);
        setText(goalBox, "[data-goal-progress]", String(data.goal.progress));
        setText(goalBox, "[data-goal-target]", String(data.goal.target));
        const bar = goalBox.querySelector("[data-goal-bar]");
        if (bar) { bar.max = data.goal.target; bar.value = data.goal.progress; }
      } else {
        goalBox.hidden = true;
      }
    }
    const next = panel.querySelector("[data-next-goal]");
    if (next) {
      const first = data.next_goals && data.next_goals[0];
      next.hidden = !first;
      if (first) {
        setText(next, "[data-next-goal-title]", first.title);
        setText(next, "[data-next-goal-target]", String(first.target));
      }
    }
    // The tip menu as the performer last saved it (the studio's edits show without a reload).
    const menuBox = panel.querySelector("[data-menu-box]");
    const menu = panel.querySelector("[data-tip-menu]");
    if (menuBox && menu && Array.isArray(data.menu)) {
      const signature = JSON.stringify(data.menu.map((m) => [m.id, m.label, m.price]));
      if (menu.dataset.signature !== signature) {
        menu.dataset.signature = signature;
        const buttons = menu.hasAttribute("data-menu-buttons");
        menu.replaceChildren(...data.menu.map((item) => {
          const li = document.createElement("li");
          const label = document.createElement("span");
          label.textContent = item.label;
          let price;
          if (buttons) {
            price = document.createElement("button");
            price.type = "button";
            price.className = "btn btn-ghost btn-small";
            price.dataset.menuItem = item.id;
            price.dataset.price = String(item.price);
          } else {
            price = document.createElement("span");
          }
          price.textContent = `${item.price} tokens`;
          li.append(label, " ", price);
          return li;
        }));
        menuBox.hidden = data.menu.length === 0;
      }
    }
    const recent = panel.querySelector("[data-recent-tips]");
    if (recent) {
      recent.replaceChildren(...(data.recent_tips.length ? data.recent_tips : [null]).map((t) => {
        const li = document.createElement("li");
        if (!t) { li.className = "muted"; li.textContent = "No tips yet."; return li; }
        li.textContent = `${t.sender_name} tipped ${t.amount}` + (t.message ? ` — ${t.message}` : "");
        return li;
      }));
    }
  }

  async function refresh(panel) {
    const response = await fetch(panel.dataset.panelUrl, { credentials: "same-origin" });
    if (response.ok) render(panel, await response.json());
  }

  async function refreshBalance(panel) {
    const el = panel.querySelector("[data-wallet-balance]");
    if (!el) return;
    const response = await fetch("/api/v1/me/wallet", { credentials: "same-origin" });
    if (response.ok) el.textContent = String((await response.json()).balance);
  }

  function setup(panel) {
    const form = panel.querySelector("[data-tip-form]");
    const status = panel.querySelector("[data-tip-status]");
    const controls = () => panel.querySelectorAll("[data-tip-form] [type=submit], [data-menu-item]");
    let sending = false;
    const submit = async (body) => {
      if (sending) return; // a double click, or a second button while a tip is on its way: ignored
      sending = true;
      controls().forEach((el) => { el.disabled = true; });
      status.classList.remove("error");
      status.textContent = "Sending…";
      try {
        const tip = await sendTip(panel, Object.assign({ performer_id: panel.dataset.performerId }, panel.dataset.roomId ? { room_id: panel.dataset.roomId } : {}, body));
        status.textContent = `Tipped ${tip.amount} tokens. Thank you!`;
        if (form) form.reset();
      } catch (error) {
        status.classList.add("error");
        status.textContent = error.message;
      } finally {
        sending = false;
        controls().forEach((el) => { el.disabled = false; });
      }
      await Promise.all([refresh(panel), refreshBalance(panel)]).catch(() => {});
    };
    if (form) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const amount = Number.parseInt(form.elements.amount.value, 10);
        submit({ amount, message: form.elements.message.value, anonymous: form.elements.anonymous.checked });
      });
    }
    // One listener for the menu's buttons, so buttons rebuilt by `render` work too.
    const menu = panel.querySelector("[data-tip-menu]");
    if (menu) {
      menu.addEventListener("click", (event) => {
        const button = event.target.closest("[data-menu-item]");
        if (button && !button.disabled) submit({ menu_item_id: button.dataset.menuItem });
      });
    }
    setInterval(() => { if (document.visibilityState === "visible") refresh(panel).catch(() => {}); }, POLL_MS);
    // Chat pushes tips and goal progress as they happen; refresh at once instead of waiting for the poll.
    document.addEventListener("stagedoor:goal", () => refresh(panel).catch(() => {}));
    document.addEventListener("stagedoor:tip", () => refresh(panel).catch(() => {}));
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-tip-panel]").forEach(setup);
  });
})();
