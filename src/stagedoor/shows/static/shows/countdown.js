/* Ticket show countdowns: every [data-countdown="<ISO time>"] shows the time left ("2 h 05 min", "45 s"). */
(function () {
  "use strict";
  function text(ms) {
    if (ms <= 0) return "starting now";
    const s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d > 0) return d + " d " + h + " h";
    if (h > 0) return h + " h " + String(m).padStart(2, "0") + " min";
    if (m > 0) return m + " min " + String(sec).padStart(2, "0") + " s";
    return sec + " s";
  }
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach((el) => {
      const at = Date.parse(el.dataset.countdown);
      if (!Number.isNaN(at)) el.textContent = text(at - Date.now());
    });
  }
  if (window.__sdCountdown) return;
  window.__sdCountdown = setInterval(tick, 1000);
  tick();
})();
