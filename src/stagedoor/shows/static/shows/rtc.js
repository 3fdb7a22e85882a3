/* Stagedoor's WebRTC client: WHIP (send) and WHEP (receive) against Stagedoor's signalling endpoints.
 *
 *   const pub = await StagedoorRTC.publish({
 *     url: "/shows/<id>/media/whip",      // or "/studio/media/whip" (public room → the HLS ladder)
 *     stream,                             // a MediaStream (getUserMedia, canvas.captureStream(30)…)
 *     iceServers: [...],                  // RTCIceServer[] (the page's data-ice-servers, or /media/config)
 *     csrfToken: "...",                   // signed-in session: the CSRF token (or `token`: an API token, Bearer)
 *     onState: (state) => {},             // the RTCPeerConnection's connectionState
 *   });
 *   await pub.stop();                     // DELETE <Location>, close the connection
 *
 *   const sub = await StagedoorRTC.subscribe({
 *     url: "/shows/<id>/media/whep",      // ?feed=<viewer id>: the performer watching a viewer's camera
 *     video,                              // the <video> element to play into
 *     watermark: "K7Q2XM",                // drawn over the video (leak tracing); the server's X-Media-Watermark wins
 *     iceServers, csrfToken, onState,
 *     onEnded: (reason) => {},            // the connection went down (e.g. paid time ran out) or stop() was called
 *   });
 *
 * WHIP (RFC 9725): POST the offer (application/sdp) → 201 with the answer and a Location; DELETE Location ends it.
 * WHEP: the server-offer variant, because Janus's VideoRoom always makes the offer to its subscribers:
 * POST (empty body) → 201 with the offer and a Location; PATCH Location with the answer (application/sdp).
 * No trickle: each side's description carries its ICE candidates (we wait for gathering, at most 2 s).
 *
 * Watermark: a canvas laid over the <video> draws the viewer's code, semi-transparent, moving every few seconds
 * (client-side: see docs/shows.md "Media (WebRTC)" for why and its limits).
 */
(function () {
  "use strict";

  function headers(opts, type) {
    const h = {};
    if (type) h["Content-Type"] = type;
    if (opts.token) h["Authorization"] = "Bearer " + opts.token;
    else if (opts.csrfToken) h["X-CSRFToken"] = opts.csrfToken;
    return h;
  }

  function gathered(pc, limitMs) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { pc.removeEventListener("icegatheringstatechange", check); clearTimeout(timer); resolve(); };
      const check = () => { if (pc.iceGatheringState === "complete") done(); };
      const timer = setTimeout(done, limitMs || 2000);
      pc.addEventListener("icegatheringstatechange", check);
    });
  }

  async function failure(resp) {
    let message = "The media server refused (" + resp.status + ").";
    let code = "http_" + resp.status;
    try { const body = await resp.json(); message = body.message || message; code = body.code || code; } catch (e) { /* not JSON */ }
    const err = new Error(message);
    err.code = code;
    err.status = resp.status;
    return err;
  }

  function watchState(pc, opts, onDown) {
    pc.addEventListener("connectionstatechange", () => {
      if (opts.onState) opts.onState(pc.connectionState);
      if (pc.connectionState === "failed" || pc.connectionState === "closed") onDown(pc.connectionState);
    });
    pc.addEventListener("iceconnectionstatechange", () => {
      if (pc.iceConnectionState === "disconnected" || pc.iceConnectionState === "failed") onDown(pc.iceConnectionState);
    });
  }

  function hangUp(opts, location) {
    if (!location) return Promise.resolve();
    return fetch(location, { method: "DELETE", headers: headers(opts), credentials: "same-origin", keepalive: true })
      .catch(() => {});
  }

  async function publish(opts) {
    const pc = new RTCPeerConnection({ iceServers: opts.iceServers || [] });
    for (const track of opts.stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly", streams: [opts.stream] });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const resp = await fetch(opts.url, {
      method: "POST", body: pc.localDescription.sdp, headers: headers(opts, "application/sdp"), credentials: "same-origin",
    });
    if (resp.status !== 201) { pc.close(); throw await failure(resp); }
    const location = resp.headers.get("Location");
    await pc.setRemoteDescription({ type: "answer", sdp: await resp.text() });
    let ended = false;
    const session = {
      pc, location,
      async stop() { if (ended) return; ended = true; pc.close(); await hangUp(opts, location); if (opts.onEnded) opts.onEnded("stopped"); },
    };
    watchState(pc, opts, (reason) => { if (!ended) { ended = true; pc.close(); if (opts.onEnded) opts.onEnded(reason); } });
    return session;
  }

  async function subscribe(opts) {
    const resp = await fetch(opts.url, { method: "POST", headers: headers(opts), credentials: "same-origin" });
    if (resp.status !== 201) throw await failure(resp);
    const location = resp.headers.get("Location");
    const code = resp.headers.get("X-Media-Watermark") || opts.watermark || "";
    const offer = await resp.text();
    const pc = new RTCPeerConnection({ iceServers: opts.iceServers || [] });
    const stream = new MediaStream();
    pc.addEventListener("track", (ev) => {
      stream.addTrack(ev.track);
      if (opts.video && opts.video.srcObject !== stream) opts.video.srcObject = stream;
    });
    await pc.setRemoteDescription({ type: "offer", sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    const patch = await fetch(location, {
      method: "PATCH", body: pc.localDescription.sdp, headers: headers(opts, "application/sdp"), credentials: "same-origin",
    });
    if (patch.status !== 204) { pc.close(); throw await failure(patch); }
    const mark = opts.video && code ? watermark(opts.video, code) : null;
    let ended = false;
    const finish = (reason) => {
      if (ended) return;
      ended = true;
      pc.close();
      if (mark) mark.remove();
      if (opts.video) opts.video.dataset.ended = reason;
      if (opts.onEnded) opts.onEnded(reason);
    };
    watchState(pc, opts, finish);
    return { pc, location, stream, watermark: code, async stop() { finish("stopped"); await hangUp(opts, location); } };
  }

  /* A canvas over the video, as large as the video's box, drawing `code` at a position that moves every 4 s. */
  function watermark(video, code) {
    const parent = video.parentElement;
    if (getComputedStyle(parent).position === "static") parent.style.position = "relative";
    const canvas = document.createElement("canvas");
    canvas.className = "sd-watermark";
    canvas.setAttribute("aria-hidden", "true");
    canvas.dataset.watermark = code;
    canvas.style.position = "absolute";  // also in shows.css (.sd-watermark); set here for pages without it
    canvas.style.pointerEvents = "none";
    canvas.style.zIndex = "2";
    parent.appendChild(canvas);
    const ctx = canvas.getContext("2d");
    let spot = { x: 0.1, y: 0.2 };
    let moved = 0;
    let raf = 0;
    function draw(now) {
      const w = video.clientWidth, h = video.clientHeight;
      canvas.style.left = video.offsetLeft + "px";
      canvas.style.top = video.offsetTop + "px";
      if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
      if (now - moved > 4000) { moved = now; spot = { x: 0.05 + Math.random() * 0.6, y: 0.1 + Math.random() * 0.8 }; }
      ctx.clearRect(0, 0, w, h);
      const size = Math.max(14, Math.round(h / 18));
      ctx.font = "600 " + size + "px system-ui, sans-serif";
      ctx.fillStyle = "rgba(255,255,255,0.35)";
      ctx.strokeStyle = "rgba(0,0,0,0.35)";
      ctx.lineWidth = 2;
      ctx.strokeText(code, spot.x * w, spot.y * h);
      ctx.fillText(code, spot.x * w, spot.y * h);
      raf = requestAnimationFrame(draw);
    }
    raf = requestAnimationFrame(draw);
    return { canvas, remove() { cancelAnimationFrame(raf); canvas.remove(); } };
  }

  window.StagedoorRTC = { publish, subscribe, watermark };
})();
