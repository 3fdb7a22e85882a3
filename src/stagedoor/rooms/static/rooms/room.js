// Room page: follow button. Player, chat and tips are modules of their own apps.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-follow]");
  const layout = document.querySelector("[data-room-slug]");
  if (!button || !layout) return;
  const csrf = (document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")) || "=").split("=")[1];
  button.addEventListener("click", async () => {
    const following = button.dataset.following === "true";
    const response = await fetch(`/api/v1/rooms/${layout.dataset.roomSlug}/follow`, {
      method: following ? "DELETE" : "POST",
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const body = await response.json();
    button.dataset.following = String(body.following);
    button.textContent = body.following ? "Following" : "Follow";
    button.classList.toggle("btn-primary", !body.following);
    button.classList.toggle("btn-ghost", body.following);
  });
});

// A reached goal is celebrated. Chat pushes {type: "goal", reached: true, next} (chat.js re-dispatches it as
// "stagedoor:goal"); the tip panel refreshes itself and shows the next goal. Styles: wallet/wallet.css.
(() => {
  const celebrated = new Set();
  const loadedAt = Date.now();

  function renderedAt() {
    const panel = document.querySelector("[data-tip-panel][data-rendered-ms]");
    return panel ? Number(panel.dataset.renderedMs) : loadedAt;
  }

  function celebrate(goal) {
    const banner = document.createElement("div");
    banner.className = "goal-celebration";
    banner.setAttribute("role", "status");
    banner.dataset.testid = "goal-celebration";
    const headline = document.createElement("span");
    headline.textContent = `Goal reached: ${goal.title}!`;
    banner.append(headline);
    if (goal.next) {
      const next = document.createElement("small");
      next.textContent = `Next goal: ${goal.next.title} (${goal.next.target} tokens)`;
      banner.append(next);
    }
    // Over the top of the video while that is on screen, below the sticky header (or in fullscreen); else
    // floating at the top of the window (e.g. a phone scrolled down to the tip form).
    const stage = document.querySelector(".player-shell");
    const box = stage && stage.getBoundingClientRect();
    const onScreen = box && box.top >= 50 && box.top + 120 <= window.innerHeight;
    if (stage && (onScreen || (document.fullscreenElement && document.fullscreenElement.contains(stage)))) {
      stage.append(banner);
    } else {
      banner.classList.add("is-floating");
      document.body.append(banner);
    }
    const goalBox = document.querySelector("[data-tip-panel] [data-goal]");
    if (goalBox) {
      goalBox.classList.add("goal-just-reached");
      setTimeout(() => goalBox.classList.remove("goal-just-reached"), 3000);
    }
    setTimeout(() => {
      // Fading out: already announced (role=status), no longer content to read.
      banner.setAttribute("aria-hidden", "true");
      banner.classList.add("is-leaving");
    }, 6000);
    setTimeout(() => banner.remove(), 6700);
  }

  document.addEventListener("stagedoor:goal", (event) => {
    const goal = event.detail || {};
    if (!goal.reached || celebrated.has(goal.id)) return;
    celebrated.add(goal.id);
    // The chat history a fresh page receives replays old goals: only news since this page was rendered counts.
    if (typeof goal.ts === "number" && goal.ts < renderedAt()) return;
    celebrate(goal);
  });
})();
