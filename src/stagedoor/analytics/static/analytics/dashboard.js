// Draws the dashboard's charts from the JSON the page carries (#dashboard-data) with the vendored Chart.js.
// Every chart has its data as a table next to it; the canvas is a picture of that table.
(() => {
  "use strict";
  const PALETTE = ["#ff3d7f", "#8b5cf6", "#22c55e", "#f59e0b", "#38bdf8", "#e879f9", "#94a3b8", "#f87171"];
  const TEXT = "#a59fb8";
  const GRID = "rgba(165,159,184,.15)";

  const axes = (stacked) => ({
    x: { stacked, ticks: { color: TEXT, maxTicksLimit: 10 }, grid: { color: GRID } },
    y: { stacked, beginAtZero: true, ticks: { color: TEXT, precision: 0 }, grid: { color: GRID } },
  });
  const legend = { labels: { color: TEXT } };

  // Chat sentiment: lines by mood (stacked) and the mean score (-1…1) on its own axis; null where too few lines.
  const moodAxes = () => ({
    x: { stacked: true, ticks: { color: TEXT, maxTicksLimit: 12 }, grid: { color: GRID } },
    y: { stacked: true, beginAtZero: true, ticks: { color: TEXT, precision: 0 }, grid: { color: GRID }, title: { display: true, text: "lines", color: TEXT } },
    mean: { position: "right", min: -1, max: 1, ticks: { color: TEXT }, grid: { drawOnChartArea: false }, title: { display: true, text: "mean score", color: TEXT } },
  });
  const mood = (labels, s) => ({
    data: {
      labels,
      datasets: [
        { type: "line", label: "Mean score", data: s.mean, yAxisID: "mean", borderColor: "#f8fafc", backgroundColor: "#f8fafc", spanGaps: false },
        { type: "bar", label: "Positive", data: s.positive, backgroundColor: PALETTE[2] },
        { type: "bar", label: "Neutral", data: s.neutral, backgroundColor: PALETTE[6] },
        { type: "bar", label: "Negative", data: s.negative, backgroundColor: PALETTE[7] },
      ],
    },
    options: { scales: moodAxes(), plugins: { legend } },
  });

  const builders = {
    // a survey question's answers: one bar per option (or per rating 1-5)
    question: (d, canvas) => {
      const q = d.questions.find((x) => String(x.id) === canvas.dataset.question);
      return {
        type: "bar",
        data: { labels: q ? q.labels : [], datasets: [{ label: "Answers", data: q ? q.counts : [], backgroundColor: PALETTE[1] }] },
        options: { indexAxis: q && q.kind === "rating" ? "x" : "y", scales: axes(false), plugins: { legend: { display: false } } },
      };
    },
    sentiment: (d) => mood(d.sentiment.labels, d.sentiment.days),
    sentiment_hours: (d) => mood(d.sentiment.hour_labels, d.sentiment.hours),
    earnings: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: d.earnings.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: PALETTE[i % PALETTE.length] })) },
      options: { scales: axes(true), plugins: { legend } },
    }),
    supporters: (d) => ({
      type: "bar",
      data: { labels: d.supporters.map((s) => s.name), datasets: [{ label: "Tokens", data: d.supporters.map((s) => s.tokens), backgroundColor: PALETTE[1] }] },
      options: { indexAxis: "y", scales: axes(false), plugins: { legend: { display: false } } },
    }),
    minutes: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: [{ label: "Show minutes", data: d.minutes, backgroundColor: PALETTE[2] }] },
      options: { scales: axes(false), plugins: { legend } },
    }),
    conversion: (d) => ({
      type: "line",
      data: {
        labels: d.labels,
        datasets: [
          { label: "Chatters", data: d.chatters, borderColor: PALETTE[4], backgroundColor: PALETTE[4] },
          { label: "Payers", data: d.payers, borderColor: PALETTE[0], backgroundColor: PALETTE[0] },
        ],
      },
      options: { scales: axes(false), plugins: { legend } },
    }),
    sales: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: [{ label: "Tokens sold", data: d.sales_tokens, backgroundColor: PALETTE[0] }] },
      options: { scales: axes(false), plugins: { legend } },
    }),
    revenue: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: d.revenue.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: PALETTE[i % PALETTE.length] })) },
      options: { scales: axes(true), plugins: { legend } },
    }),
    chargebacks: (d) => ({
      type: "bar",
      data: { labels: d.providers.map((p) => p.name), datasets: [{ label: "Chargebacks per purchase", data: d.providers.map((p) => p.rate ?? 0), backgroundColor: PALETTE[3] }] },
      options: { scales: { x: axes(false).x, y: { beginAtZero: true, ticks: { color: TEXT }, grid: { color: GRID } } }, plugins: { legend } },
    }),
    paid_out: (d) => ({
      type: "bar",
      data: { labels: d.labels, datasets: [{ label: "Tokens paid out", data: d.paid_out, backgroundColor: PALETTE[2] }] },
      options: { scales: axes(false), plugins: { legend } },
    }),
    payouts: (d) => ({
      type: "bar",
      data: {
        labels: d.payouts.map((p) => p.period),
        datasets: [
          { label: "Paid", data: d.payouts.map((p) => p.paid), backgroundColor: PALETTE[2] },
          { label: "Kept in reserve", data: d.payouts.map((p) => p.reserve), backgroundColor: PALETTE[3] },
        ],
      },
      options: { scales: axes(true), plugins: { legend } },
    }),
    liabilities: (d) => ({
      type: "line",
      data: { labels: d.labels, datasets: [{ label: "Tokens held", data: d.liabilities, borderColor: PALETTE[1], backgroundColor: PALETTE[1] }] },
      options: { scales: axes(false), plugins: { legend } },
    }),
  };

  const draw = () => {
    const source = document.getElementById("dashboard-data");
    if (!source || typeof window.Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const build = builders[canvas.dataset.chart];
      if (!build) return;
      const config = build(data, canvas);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
      new window.Chart(canvas, config);
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
