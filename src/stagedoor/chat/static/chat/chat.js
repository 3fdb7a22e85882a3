// Chat panel: one WebSocket to the chat gateway, protocol v1 (docs/chat-protocol.md).
// Reconnects with exponential back-off and jitter, resuming from the last sequence seen.
(() => {
  "use strict";
  const root = document.querySelector("[data-chat]");
  if (!root) return;
  const $ = (sel) => root.querySelector(sel);
  const slug = root.dataset.room;
  const list = $("[data-chat-messages]");
  const form = $("[data-chat-form]");
  const input = $("[data-chat-input]");
  const statusEl = $("[data-chat-status]");
  const errorEl = $("[data-chat-error]");
  const presenceEl = $("[data-chat-presence]");
  const modeline = $("[data-chat-modeline]");
  const modes = $("[data-chat-modes]");
  const menu = $("[data-chat-menu]");
  const counter = $("[data-chat-count]");
  const limitEl = $("[data-chat-limit]");
  const sendButton = form.querySelector("[type=submit]");
  const maxChars = Number(input.dataset.maxChars) || 500; // the server's limit (chat/pipeline/size.py)
  const badgeLabels = (() => {
    try { return JSON.parse(root.dataset.badgeLabels || "{}"); } catch (err) { return {}; }
  })(); // flag -> label, registered by apps (chat/perks.py): "fan" -> "Fan", "vl3" -> "Lv 3"
  const MAX_LINES = 200;
  const logins = new Map(); // user id -> login, for notices
  let ws = null;
  let me = null;
  let lastSeq = null;
  let attempt = 0;
  let stopped = false;
  let nonce = 0;
  let menuTarget = null;
  let menuButton = null;

  const csrf = () => (document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")) || "=").split("=")[1];

  function setStatus(text, cls) {
    statusEl.textContent = text;
    statusEl.className = "chat-status" + (cls ? " " + cls : "");
  }

  function showError(text) {
    errorEl.textContent = text;
    errorEl.hidden = !text;
    if (text) setTimeout(() => { if (errorEl.textContent === text) errorEl.hidden = true; }, 6000);
  }

  function scrollDown() {
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    while (list.children.length > MAX_LINES) list.firstChild.remove();
    if (nearBottom) list.scrollTop = list.scrollHeight;
  }

  function line(cls) {
    const li = document.createElement("li");
    li.className = "chat-msg " + cls;
    return li;
  }

  function author(user) {
    const span = document.createElement("span");
    span.className = "chat-author chat-role-" + (user.role || "viewer");
    span.textContent = user.login || "someone";
    span.title = user.role;
    for (const badge of user.badges || []) {
      // badges other apps register (chat/perks.py), e.g. "fan": a fan club member
      const b = document.createElement("span");
      b.className = "chat-badge chat-badge-" + badge;
      b.textContent = badgeLabels[badge] || badge;
      b.title = badge === "fan" ? "Fan club member" : b.textContent;
      span.append(" ", b);
    }
    return span;
  }

  // Text with @mentions highlighted; never innerHTML.
  function richText(text, into) {
    const re = /(^|[^\w@])@([A-Za-z0-9_]{2,32})/g;
    let last = 0;
    let mine = false;
    for (let m; (m = re.exec(text)); ) {
      const at = m.index + m[1].length;
      into.append(text.slice(last, at));
      const span = document.createElement("span");
      span.className = "chat-mention";
      span.textContent = "@" + m[2];
      into.append(span);
      if (me && me.login && m[2].toLowerCase() === me.login.toLowerCase()) mine = true;
      last = at + 1 + m[2].length;
    }
    into.append(text.slice(last));
    return mine;
  }

  function addMessage(e) {
    if (e.user && e.user.id) logins.set(e.user.id, e.user.login);
    const li = line("chat-text");
    li.dataset.id = e.id;
    li.dataset.user = e.user.id || "";
    li.dataset.testid = "chat-message";
    li.append(author(e.user));
    const body = document.createElement("span");
    body.className = "chat-body";
    if (richText(e.text, body) || (e.mentions && me && me.login && e.mentions.includes(me.login.toLowerCase()))) {
      li.classList.add("mentions-me");
    }
    li.append(body);
    const more = document.createElement("button");
    more.type = "button";
    more.className = "chat-more";
    more.textContent = "⋯";
    more.title = "Moderate";
    more.setAttribute("aria-label", `Moderate the message from ${e.user.login || "someone"}`);
    more.setAttribute("aria-haspopup", "menu");
    more.setAttribute("aria-expanded", "false");
    more.dataset.testid = "chat-more";
    li.append(more);
    list.append(li);
  }

  function addSystem(text, cls = "chat-system") {
    const li = line(cls);
    li.textContent = text;
    list.append(li);
  }

  function who(id) { return logins.get(id) || "a user"; }

  function duration(s) {
    if (s >= 3600) return Math.round(s / 3600) + " h";
    if (s >= 60) return Math.round(s / 60) + " min";
    return s + " s";
  }

  function applyMode(mode) {
    const bits = [];
    if (mode.slow_seconds) bits.push("slow mode " + duration(mode.slow_seconds));
    if (mode.audience !== "everyone") bits.push(mode.audience.replace("_", " ") + " only");
    if (!mode.links) bits.push("no links");
    if (!mode.emails) bits.push("no e-mails");
    if (!mode.phones) bits.push("no phone numbers");
    modeline.textContent = bits.join(" · ");
    modes.querySelector("[data-mode-slow]").value = String(mode.slow_seconds);
    modes.querySelector("[data-mode-audience]").value = mode.audience;
    modes.querySelector("[data-mode-links]").checked = mode.links;
    modes.querySelector("[data-mode-emails]").checked = mode.emails;
    modes.querySelector("[data-mode-phones]").checked = mode.phones;
  }

  function setPresence(n) {
    presenceEl.textContent = String(n);
    document.querySelectorAll("[data-viewer-count]").forEach((el) => { el.textContent = String(n); });
  }

  function removeMessage(id) {
    const li = list.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (li) li.remove();
  }

  function handle(e) {
    if (typeof e.seq === "number") lastSeq = e.seq;
    switch (e.type) {
      case "welcome":
        attempt = 0;
        me = e.you;
        root.classList.toggle("can-moderate", me.perms.includes("moderate"));
        modes.hidden = !me.perms.includes("moderate");
        if (!e.resumed) {
          list.replaceChildren();
          e.history.forEach(handle);
        }
        lastSeq = e.seq;
        applyMode(e.mode);
        setPresence(e.presence);
        setStatus("live", "is-connected");
        break;
      case "message": addMessage(e); break;
      case "notice": addSystem(e.text); break;
      case "tip": document.dispatchEvent(new CustomEvent("stagedoor:tip", { detail: e }));
        addSystem(`${e.user.login} tipped ${e.amount} tokens${e.note ? ": " + e.note : ""}`, "chat-tip"); break;
      case "goal": document.dispatchEvent(new CustomEvent("stagedoor:goal", { detail: e }));
        addSystem(`Goal "${e.title}": ${e.progress} / ${e.target}${e.reached ? " — reached!" : ""}`, "chat-goal"); break;
      case "message.deleted": removeMessage(e.id); break;
      case "user.purged": e.ids.forEach(removeMessage); addSystem(`Messages of ${who(e.user_id)} were removed`); break;
      case "user.timed_out": addSystem(`${who(e.user_id)} was timed out for ${duration(e.seconds)}`); break;
      case "user.banned": addSystem(`${who(e.user_id)} was banned from the room`); break;
      case "user.unbanned": addSystem(`${who(e.user_id)} was unbanned`); break;
      case "room.mode": applyMode(e.mode); addSystem("Chat settings changed" + (modeline.textContent ? ": " + modeline.textContent : "")); break;
      case "presence": setPresence(e.count); break;
      case "ack": if (e.status === "held") showError("Your message is waiting for a moderator."); break;
      case "error": showError(e.message + (e.retry_after ? ` (try again in ${Math.ceil(e.retry_after)} s)` : "")); break;
      default: break; // newer server: ignore what we do not know
    }
    if (e.type !== "presence" && e.type !== "ack" && e.type !== "error") scrollDown();
  }

  function send(cmd) {
    if (!ws || ws.readyState !== WebSocket.OPEN) { showError("Not connected yet."); return false; }
    ws.send(JSON.stringify({ ...cmd, nonce: "n" + ++nonce }));
    return true;
  }

  async function fetchTicket() {
    const response = await fetch(`/api/v1/chat/rooms/${encodeURIComponent(slug)}/ticket`, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() },
    });
    if (!response.ok) throw new Error("ticket " + response.status);
    return response.json();
  }

  function retry() {
    if (stopped) return;
    attempt += 1;
    const base = Math.min(30000, 500 * 2 ** Math.min(attempt, 6));
    const delay = Math.round(base * (0.5 + Math.random() / 2));
    setStatus(`reconnecting in ${Math.ceil(delay / 1000)} s`, "is-down");
    setTimeout(connect, delay);
  }

  async function connect() {
    if (stopped) return;
    setStatus("connecting…");
    let ticket;
    try { ticket = await fetchTicket(); } catch (err) { retry(); return; }
    const socket = new WebSocket(ticket.url, "stagedoor.chat.v1");
    ws = socket;
    socket.onopen = () => {
      const hello = { type: "hello", ticket: ticket.ticket };
      if (lastSeq !== null) hello.last_seq = lastSeq;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (ev) => {
      let e;
      try { e = JSON.parse(ev.data); } catch (err) { return; }
      handle(e);
    };
    socket.onclose = (ev) => {
      if (ws === socket) ws = null;
      if (ev.code === 4003) { stopped = true; setStatus("banned from this room", "is-down"); input.disabled = true; return; }
      retry();
    };
  }

  // Messages have a length limit: count towards it as one types, and say so (rather than cut
  // the text silently) when it is passed; the server refuses longer lines with the same limit.
  const length = (text) => [...text.trim()].length; // code points, as the server counts
  function showCount() {
    const n = length(input.value);
    const over = n - maxChars;
    counter.hidden = n < maxChars * 0.8;
    counter.textContent = `${n}/${maxChars}`;
    counter.classList.toggle("is-over", over > 0);
    input.setAttribute("aria-invalid", String(over > 0));
    root.classList.toggle("is-over-limit", over > 0);
    const text = over > 0
      ? `Too long: messages are at most ${maxChars} characters. Remove ${over} to send.`
      : n === maxChars ? `That is the limit: ${maxChars} characters.` : "";
    if (limitEl.textContent !== text) limitEl.textContent = text;
    return over <= 0;
  }
  input.addEventListener("input", showCount);

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (!showCount()) { input.focus(); return; }
    if (send({ type: "send", text })) { input.value = ""; showCount(); }
  });

  modes.addEventListener("change", () => {
    send({
      type: "mode",
      slow_seconds: Number(modes.querySelector("[data-mode-slow]").value),
      audience: modes.querySelector("[data-mode-audience]").value,
      links: modes.querySelector("[data-mode-links]").checked,
      emails: modes.querySelector("[data-mode-emails]").checked,
      phones: modes.querySelector("[data-mode-phones]").checked,
    });
  });

  // The moderator's menu of a message: its "⋯" button shows on every line for moderators (tap,
  // click or keyboard); arrow keys move through the menu, Escape closes it and returns focus.
  const menuItems = () => [...menu.querySelectorAll("button[data-act]")];

  function closeMenu(refocus) {
    if (menu.hidden) return;
    menu.hidden = true;
    if (menuButton) {
      menuButton.setAttribute("aria-expanded", "false");
      if (refocus && menuButton.isConnected) menuButton.focus();
    }
    menuTarget = null;
    menuButton = null;
  }

  function openMenu(more, focusFirst) {
    if (menuButton && menuButton !== more) menuButton.setAttribute("aria-expanded", "false");
    menuTarget = more.closest(".chat-msg");
    menuButton = more;
    more.setAttribute("aria-expanded", "true");
    menu.hidden = false;
    // below the line, or above it when the chat's bottom edge is too close
    const top = menuTarget.offsetTop - list.scrollTop;
    const below = top + menuTarget.offsetHeight + 4;
    const room = root.clientHeight - 8;
    const placed = below + menu.offsetHeight <= room ? below : Math.max(8, top - menu.offsetHeight - 4);
    menu.style.top = placed + "px";
    if (focusFirst) menuItems()[0].focus();
  }

  list.addEventListener("click", (ev) => {
    const more = ev.target.closest(".chat-more");
    if (!more) return;
    if (menuButton === more && !menu.hidden) { closeMenu(false); return; }
    openMenu(more, ev.detail === 0); // detail 0: Enter or Space, so the keyboard goes into the menu
  });

  menu.addEventListener("keydown", (ev) => {
    const items = menuItems();
    const at = items.indexOf(document.activeElement);
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      items[(at + (ev.key === "ArrowDown" ? 1 : -1) + items.length) % items.length].focus();
    } else if (ev.key === "Home" || ev.key === "End") {
      ev.preventDefault();
      items[ev.key === "Home" ? 0 : items.length - 1].focus();
    } else if (ev.key === "Tab") {
      closeMenu(false);
    }
  });

  menu.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-act]");
    if (!button || !menuTarget) return;
    const act = button.dataset.act;
    const id = menuTarget.dataset.id;
    const user = menuTarget.dataset.user;
    if (act === "delete") send({ type: "delete", message_id: id });
    else if (act === "timeout") send({ type: "timeout", user_id: user, seconds: Number(button.dataset.seconds) });
    else if (act === "purge") send({ type: "purge", user_id: user });
    else if (act === "ban") send({ type: "ban", user_id: user });
    closeMenu(true);
  });

  root.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && !menu.hidden) {
      ev.preventDefault();
      closeMenu(true);
    }
  });

  document.addEventListener("pointerdown", (ev) => {
    if (!menu.hidden && !menu.contains(ev.target) && !ev.target.closest(".chat-more")) closeMenu(false);
  });

  connect();
})();
