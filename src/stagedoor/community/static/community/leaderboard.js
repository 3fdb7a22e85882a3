// A contest's live leaderboard: polls the JSON endpoint (community API) and redraws the rows when they change.
// Never innerHTML: names come from people.
(() => {
  "use strict";
  const root = document.querySelector("[data-leaderboard]");
  if (!root) return;
  const body = root.querySelector("[data-standings]");
  const stateEl = root.querySelector("[data-contest-state]");
  const url = root.dataset.url;
  const every = Math.max(250, Number(root.dataset.pollMs) || 1000);
  let last = "";
  let timer = null;

  function cell(text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }

  function draw(board) {
    const key = JSON.stringify(board.standings);
    if (stateEl) stateEl.textContent = board.contest.state;
    if (key === last) return;
    last = key;
    const rows = board.standings.map((s) => {
      const tr = document.createElement("tr");
      tr.dataset.testid = "standing";
      tr.setAttribute("data-testid", "standing");
      tr.dataset.performer = s.login;
      tr.append(cell(String(s.rank)));
      const who = document.createElement("td");
      if (s.room_slug) {
        const a = document.createElement("a");
        a.href = "/r/" + encodeURIComponent(s.room_slug);
        a.textContent = s.name;
        who.append(a);
      } else {
        who.textContent = s.name;
      }
      tr.append(who);
      const score = cell(String(s.score), "num");
      score.dataset.score = "";
      tr.append(score);
      return tr;
    });
    if (!rows.length) {
      const tr = document.createElement("tr");
      const td = cell("No performer has entered yet.", "muted");
      td.colSpan = 3;
      tr.append(td);
      rows.push(tr);
    }
    body.replaceChildren(...rows);
  }

  async function poll() {
    timer = null;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok) draw(await response.json());
    } catch (err) {
      // offline for a moment: try again on the next tick
    }
    if (!document.hidden) timer = setTimeout(poll, every);
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer === null) poll();
  });
  last = JSON.stringify(
    [...body.querySelectorAll("tr[data-performer]")].map((tr) => tr.dataset.performer),
  );
  timer = setTimeout(poll, every);
})();
