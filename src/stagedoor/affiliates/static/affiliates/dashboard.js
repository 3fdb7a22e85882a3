// Draws the referral dashboard's charts from #affiliate-data with the vendored Chart.js, like analytics' dashboard:
// every chart's figures are also in the table next to it.
(() => {
  "use strict";
  const PALETTE = ["#ff3d7f", "#8b5cf6", "#22c55e", "#f59e0b", "#38bdf8"];
  const TEXT = "#a59fb8";
  const GRID = "rgba(165,159,184,.15)";
  const scales = {
    x: { ticks: { color: TEXT, maxTicksLimit: 10 }, grid: { color: GRID } },
    y: { beginAtZero: true, ticks: { color: TEXT, precision: 0 }, grid: { color: GRID } },
  };
  const legend = { labels: { color: TEXT } };
  const line = (label, data, colour) => ({ label, data, borderColor: colour, backgroundColor: colour });
  const builders = {
    funnel: (d) => ({
      type: "line",
      data: {
        labels: d.labels,
        datasets: [line("Clicks", d.clicks, PALETTE[4]), line("Sign-ups", d.signups, PALETTE[1]), line("Buyers", d.buyers, PALETTE[0])],
      },
      options: { scales, plugins: { legend } },
    }),
    earnings: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: [{ label: "Tokens earned", data: d.earnings, backgroundColor: PALETTE[2] }] },
      options: { scales, plugins: { legend } },
    }),
  };
  const draw = () => {
    const source = document.getElementById("affiliate-data");
    if (!source || typeof window.Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const build = builders[canvas.dataset.chart];
      if (!build) return;
      const config = build(data);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, config);
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
