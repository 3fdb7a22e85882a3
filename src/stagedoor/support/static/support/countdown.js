// SLA countdowns on the support queue and ticket pages: every <time data-countdown datetime="…"> shows
// "in 1 h 20 min" / "overdue by 5 min", refreshed every 30 seconds (the server renders the first value).
(function () {
  "use strict";
  function label(ms) {
    var late = ms < 0;
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    var text = hours ? hours + " h " + (rest < 10 ? "0" : "") + rest + " min" : rest + " min";
    return late ? "overdue by " + text : "in " + text;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      el.textContent = label(due - now);
      el.classList.toggle("error", due < now);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
  });
})();
