/* The show page: heartbeats while the viewer's seat is active (the biller charges only open pages), a poll of
 * the show's state (reload when it changes; the low-funds warning), and the media hook.
 *
 * MEDIA HOOK — startMedia(showId, role): the media helper's WebRTC client (shows/rtc.js, window.StagedoorRTC)
 * plays/publishes the show. When the page carries their stage card ([data-sd-stage], shows/media/_stage.html)
 * their stage.js runs it and this hook does nothing; otherwise it publishes the performer's camera (WHIP) or
 * subscribes a participant (WHEP) into #show-video. role: "performer", "viewer", "spy", "ticket".
 */
(function () {
  "use strict";
  const page = document.querySelector("[data-show-id]");
  if (!page) return;
  const showId = page.dataset.showId;
  const csrf = () => {
    const c = document.cookie.split("; ").find((x) => x.startsWith("csrftoken="));
    return c ? decodeURIComponent(c.split("=")[1]) : "";
  };
  const post = (url) => fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf(), "Content-Type": "application/json" }, body: "{}" });

  // --- MEDIA HOOK -------------------------------------------------------------------------------------------
  async function startMedia(id, role) {
    if (document.querySelector("[data-sd-stage]") || !window.StagedoorRTC) return null;
    const video = document.getElementById("show-video");
    if (!video) return null;
    const watermark = (document.querySelector(".show-watermark") || {}).textContent || "";
    try {
      if (role === "performer") {
        const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
        video.srcObject = stream;
        return await window.StagedoorRTC.publish({ url: "/shows/" + id + "/media/whip", stream, csrfToken: csrf() });
      }
      return await window.StagedoorRTC.subscribe({ url: "/shows/" + id + "/media/whep", video, watermark, csrfToken: csrf() });
    } catch (err) {
      console.warn("show media did not start:", err);
      return null;
    }
  }
  window.startMedia = startMedia;

  const role = page.dataset.mediaRole;
  const live = page.dataset.showStatus === "live";
  if (live && (page.dataset.inShow === "true" || role === "performer")) {
    window.addEventListener("load", () => startMedia(showId, role));
  }

  // --- heartbeat and state ----------------------------------------------------------------------------------
  const beatMs = Math.max(2000, (Number(page.dataset.heartbeatS) || 20) * 1000 / 3);
  if (page.dataset.inShow === "true") {
    post("/api/v1/shows/" + showId + "/heartbeat");
    setInterval(() => post("/api/v1/shows/" + showId + "/heartbeat"), beatMs);
  }
  const warning = document.querySelector("[data-testid=low-funds]");
  let known = null;
  async function poll() {
    try {
      const resp = await fetch("/shows/" + showId + "/state", { credentials: "same-origin" });
      if (!resp.ok) return;
      const state = await resp.json();
      const key = state.status + "/" + (state.seat ? state.seat.status : "-");
      if (known !== null && key !== known) { window.location.reload(); return; }
      known = key;
      if (warning && state.seat) warning.hidden = !(state.seat.low_funds && state.seat.status === "active");
      const minutes = document.querySelector("[data-testid=seat-minutes]");
      if (minutes && state.seat) minutes.textContent = String(state.seat.minutes_billed);
    } catch (e) { /* offline for a moment: try again */ }
  }
  poll();
  setInterval(poll, 3000);
})();
