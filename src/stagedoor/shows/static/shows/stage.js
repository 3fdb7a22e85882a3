/* A show's live video (templates/shows/media/_stage.html): the performer publishes and watches viewers' cameras;
 * a participant watches the performer (with their watermark) and, when allowed, turns on their camera. */
(function () {
  "use strict";
  const card = document.querySelector("[data-sd-stage]");
  if (!card || !window.StagedoorRTC) return;
  const $ = (s) => card.querySelector(s);
  const video = $("[data-stage-main]"), status = $("[data-stage-status]"), errorBox = $("[data-stage-error]");
  const camBtn = $("[data-stage-camera]"), camOffBtn = $("[data-stage-camera-off]"), cams = $("[data-stage-cams]");
  const unmute = $("[data-stage-unmute]");
  const csrf = () => { const c = document.cookie.split("; ").find((x) => x.startsWith("csrftoken=")); return c ? decodeURIComponent(c.split("=")[1]) : ""; };
  let config = null, playing = null, publishing = null, camStream = null;
  const watching = new Map();  // viewer id → subscription (performer)

  function say(text) { status.textContent = text; }
  function fail(err) { errorBox.textContent = err.message || String(err); errorBox.hidden = false; }
  async function loadConfig() {
    const resp = await fetch(card.dataset.config, { credentials: "same-origin", headers: { "X-CSRFToken": csrf() } });
    config = await resp.json();
    return config;
  }

  async function watchPerformer() {
    if (playing) return;
    try {
      playing = await StagedoorRTC.subscribe({
        url: card.dataset.whep, video, csrfToken: csrf(), iceServers: config.iceServers, watermark: config.watermark,
        onState: (s) => { card.dataset.state = s; if (s === "connected") say("Live."); },
        onEnded: (reason) => {
          playing = null;
          card.dataset.state = "ended";
          say(reason === "stopped" ? "Stopped." : "The video ended (your paid time may have run out).");
        },
      });
      unmute.hidden = false;
    } catch (err) {
      if (err.code === "shows.media_not_publishing") { waitForPerformer(); }
      else { say("No video."); fail(err); }
    }
  }

  /* Poll the config (200s, no failed requests in the console) until the performer's camera is on, then watch;
   * stop when the grant is gone (paid time over, the show ended). */
  async function waitForPerformer() {
    say("Waiting for the performer's camera…");
    try { await loadConfig(); } catch (err) { setTimeout(waitForPerformer, 1500); return; }
    if (!config.allowed) { say("You are not in this show (or your paid time ran out)."); return; }
    if (config.publishing) await watchPerformer();
    else setTimeout(waitForPerformer, 1500);
  }

  async function startCamera(target) {
    camStream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true });
    if (target) { target.srcObject = camStream; }
    publishing = await StagedoorRTC.publish({
      url: card.dataset.whip, stream: camStream, csrfToken: csrf(), iceServers: config.iceServers,
      onState: (s) => { card.dataset.publishState = s; },
      onEnded: () => { publishing = null; card.dataset.publishState = "ended"; },
    });
  }

  async function stopCamera() {
    if (publishing) await publishing.stop();
    publishing = null;
    if (camStream) camStream.getTracks().forEach((t) => t.stop());
    camStream = null;
  }

  async function refreshCams() {
    await loadConfig();
    const live = new Set((config.cams || []).map((c) => c.user));
    for (const [user, sub] of watching) if (!live.has(user)) { sub.stop(); sub.box.remove(); watching.delete(user); }
    for (const cam of config.cams || []) {
      if (watching.has(cam.user)) continue;
      const box = document.createElement("figure");
      box.className = "sd-stage-cam";
      const v = document.createElement("video");
      v.autoplay = true; v.muted = true; v.playsInline = true; v.dataset.camOf = cam.user;
      v.setAttribute("aria-label", cam.login + "'s camera");
      const cap = document.createElement("figcaption"); cap.textContent = cam.login;
      box.append(v, cap); cams.append(box);
      const entry = { stop() {}, box };
      watching.set(cam.user, entry);
      StagedoorRTC.subscribe({
        url: card.dataset.whep + "?feed=" + encodeURIComponent(cam.user), video: v, csrfToken: csrf(), iceServers: config.iceServers,
        onEnded: () => { box.remove(); watching.delete(cam.user); },
      }).then((sub) => { entry.stop = () => sub.stop(); }).catch(() => { box.remove(); watching.delete(cam.user); });
    }
  }

  unmute.addEventListener("click", () => { video.muted = false; unmute.hidden = true; });
  camBtn.addEventListener("click", async () => {
    try { await startCamera(null); camBtn.hidden = true; camOffBtn.hidden = false; } catch (err) { fail(err); }
  });
  camOffBtn.addEventListener("click", async () => { await stopCamera(); camOffBtn.hidden = true; camBtn.hidden = false; });
  window.addEventListener("pagehide", () => { if (publishing) publishing.stop(); if (playing) playing.stop(); });

  (async function start() {
    try { await loadConfig(); } catch (err) { fail(err); return; }
    if (!config.allowed) { say("You are not in this show (or your paid time ran out)."); return; }
    if (config.role === "performer") {
      say("Starting your camera…");
      try { await startCamera(video); say("You are live in this show."); } catch (err) { fail(err); return; }
      setInterval(() => refreshCams().catch(() => {}), 2000);
    } else {
      camBtn.hidden = !config.canPublish;
      if (config.publishing) await watchPerformer();
      else await waitForPerformer();
    }
  })();
})();
