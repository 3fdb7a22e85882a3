// The room player: asks the API for a playback grant, plays the low-latency HLS ladder
// with hls.js (automatic quality plus a manual choice), shows live / offline /
// reconnecting states and renews the grant before it expires.
//
// State is mirrored in data- attributes of [data-player] (data-state, data-level, data-muted,
// data-fullscreen, data-controls) so pages and tests can read it; window.stagedoorPlayer exposes
// the hls.js instance and errors. Controls: sound (mute + volume), quality, picture-in-picture
// (where the browser has it) and full screen (the container; iOS: the video).
(() => {
  "use strict";

  const root = document.querySelector("[data-player]");
  if (!root) return;
  const slug = root.dataset.room;
  const video = root.querySelector("[data-player-video]");
  const badge = root.querySelector("[data-player-badge]");
  const overlay = root.querySelector("[data-player-overlay]");
  const message = root.querySelector("[data-player-message]");
  const quality = root.querySelector("[data-player-quality]");
  const sound = root.querySelector("[data-player-sound]");
  const volume = root.querySelector("[data-player-volume]");
  const fullscreenButton = root.querySelector("[data-player-fullscreen]");
  const pipButton = root.querySelector("[data-player-pip]");

  const OFFLINE_POLL_MS = 10000; // how often an offline room is asked whether it is on air
  const STALL_CHECK_MS = 4000; // a stall this long makes the player ask for the room's status
  const WATCHDOG_MS = 1000; // how often playback progress is checked
  const RETRY_MAX_MS = 15000;
  const CONTROLS_IDLE_MS = 3000; // a playing video's controls fade this long after the last move

  // `asked`: the last grant requests (why, and what came back), for support and tests
  const player = { hls: null, token: null, errors: [], grant: null, asked: [] };
  window.stagedoorPlayer = player;
  let refreshTimer = null;
  let pollTimer = null;
  let retries = 0;

  const MESSAGES = {
    loading: "Loading the stream…",
    offline: "This room is offline right now. The player starts by itself when the show begins.",
    reconnecting: "The performer's connection dropped. Reconnecting…",
    blocked: "This room is not available in your region.",
    consent: "Confirm your age and accept the terms to watch.",
    unsupported: "Your browser cannot play this stream.",
    error: "The stream could not be loaded. Retrying…",
  };

  function setState(state, text) {
    root.dataset.state = state;
    const playing = state === "playing";
    overlay.hidden = playing;
    message.textContent = text || MESSAGES[state] || "";
    badge.hidden = !(playing || state === "reconnecting");
  }

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
  }

  async function requestGrant() {
    const response = await fetch(`/api/v1/rooms/${encodeURIComponent(slug)}/playback`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.message || `HTTP ${response.status}`);
      error.code = body.code || `http_${response.status}`;
      throw error;
    }
    return body;
  }

  function tokenOf(url) {
    const match = /\/live\/([^/]+)\//.exec(url);
    return match ? match[1] : null;
  }

  function clearTimers() {
    clearTimeout(refreshTimer);
    clearTimeout(pollTimer);
  }

  function destroyHls() {
    if (player.hls) {
      player.hls.destroy();
      player.hls = null;
    }
    quality.disabled = true;
    quality.replaceChildren(new Option("Auto", "-1"));
  }

  function backoff() {
    retries += 1;
    return Math.min(RETRY_MAX_MS, 1000 * 2 ** Math.min(retries - 1, 4));
  }

  // Ask the API; then play, keep playing with a fresh token, or show why not.
  async function update(reason) {
    clearTimeout(pollTimer);
    let grant;
    const asked = { at: Date.now(), reason, result: "pending" };
    player.asked = [...player.asked.slice(-9), asked];
    try {
      grant = await requestGrant();
      asked.result = grant.status;
    } catch (error) {
      asked.result = error.code || String(error);
      if (error.code === "room.region_blocked") return stop("blocked", error.message);
      if (error.code === "streaming.consent_required") return stop("consent", error.message);
      if (error.code === "streaming.age_check_required") return stop("consent", error.message);
      setState("error", MESSAGES.error);
      pollTimer = setTimeout(() => update("retry"), backoff());
      return;
    }
    player.grant = grant;
    if (grant.thumbnail_url && !video.currentTime) {
      video.poster = `${grant.thumbnail_url}?t=${Date.now()}`;
    }
    if (grant.status === "offline" || !grant.url) {
      destroyHls();
      player.token = null;
      setState("offline");
      pollTimer = setTimeout(() => update("poll"), OFFLINE_POLL_MS);
      return;
    }
    player.token = tokenOf(grant.url);
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => update("refresh"), Math.max(5, grant.refresh_in_s) * 1000);
    if (grant.status === "reconnecting") {
      stallChecks = 0; // only stalls while the room is on air count towards starting over
      setState("reconnecting");
    }
    // on air but stuck through two checks in a row (e.g. hls.js wedged at a discontinuity): start over
    const wedged = reason === "stall" && grant.status === "live" && stallChecks >= 2;
    if (!player.hls || reason === "reload" || wedged) {
      stallChecks = 0;
      start(grant.url);
    }
    // "playing" is set by the video and the progress watchdog, once time actually moves
  }

  function stop(state, text) {
    clearTimers();
    destroyHls();
    setState(state, text);
  }

  function start(url) {
    destroyHls();
    if (!window.Hls || !window.Hls.isSupported()) {
      if (video.canPlayType("application/vnd.apple.mpegurl")) {
        video.src = url; // Safari plays HLS natively (the token rides in the path)
        video.play().catch(() => {});
        return;
      }
      return stop("unsupported");
    }
    const Hls = window.Hls;
    const hls = new Hls({
      ...(window.StagedoorHlsConfig || {}),
      // every playlist and segment URL carries the grant token in its path: after a
      // renewal, requests made from the old playlists are sent with the new token
      xhrSetup(xhr, requestUrl) {
        const current = player.token;
        if (current && tokenOf(requestUrl) !== current) {
          xhr.open("GET", requestUrl.replace(/\/live\/[^/]+\//, `/live/${current}/`), true);
        }
      },
    });
    player.hls = hls;
    furthest = 0; // a new timeline
    hls.on(Hls.Events.MANIFEST_PARSED, () => fillQualityMenu(hls));
    hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => showLevel(hls, data.level));
    hls.on(Hls.Events.FRAG_BUFFERED, () => {
      retries = 0;
    });
    hls.on(Hls.Events.ERROR, (_event, data) => onError(hls, data));
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  function fillQualityMenu(hls) {
    const options = [new Option("Auto", "-1")];
    hls.levels
      .map((level, index) => ({ level, index }))
      .sort((a, b) => b.level.height - a.level.height || b.level.bitrate - a.level.bitrate)
      .forEach(({ level, index }) => {
        const kbps = Math.round(level.bitrate / 1000);
        options.push(new Option(`${level.height}p · ${kbps} kbps`, String(index)));
      });
    quality.replaceChildren(...options);
    quality.value = hls.autoLevelEnabled ? "-1" : String(hls.currentLevel);
    quality.disabled = hls.levels.length < 2;
    root.dataset.levels = hls.levels.map((level) => level.height).join(",");
  }

  function showLevel(hls, index) {
    const level = hls.levels[index];
    if (!level) return;
    root.dataset.level = String(level.height);
    const auto = quality.options[0];
    auto.textContent = hls.autoLevelEnabled ? `Auto (${level.height}p)` : "Auto";
  }

  quality.addEventListener("change", () => {
    const hls = player.hls;
    if (!hls) return;
    const index = Number(quality.value);
    // -1 hands the choice back to hls.js's bandwidth estimate; a level switches now
    hls.currentLevel = index;
  });

  function onError(hls, data) {
    if (hls !== player.hls) return;
    player.errors.push({ type: data.type, details: data.details, fatal: !!data.fatal });
    if (!data.fatal) return;
    const Hls = window.Hls;
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && retries < 2) {
      retries += 1;
      hls.recoverMediaError();
      return;
    }
    // a network error (expired token, room gone, origin down): ask the API what is going on
    destroyHls();
    setState("loading");
    clearTimeout(pollTimer);
    pollTimer = setTimeout(() => update("reload"), backoff());
  }

  video.addEventListener("playing", () => {
    // While the performer reconnects, hls.js nudges the stalled video forward and every nudge
    // fires "playing": only the clock (the watchdog below) may end the reconnecting state.
    if (player.grant && player.grant.status === "reconnecting") return;
    setState("playing");
  });

  // Stalls are judged by the clock, not by media events: when the video should play but has
  // not moved on for STALL_CHECK_MS, ask the API what is going on. "Moved on" means the furthest
  // point reached grew by at least half a second per second of wall clock. A stalled live video
  // is not still: hls.js nudges it forward 0.1–0.3 s (each nudge fires "playing") and seeks it
  // back into the buffer, so it plays the same second over and over — seen in the reconnect test.
  let furthest = 0;
  let stuckSince = 0;
  let lastCheck = 0;
  let stallChecks = 0; // stall checks since playback last moved on
  setInterval(() => {
    const now = Date.now();
    if (!player.hls || video.paused) {
      stuckSince = 0;
      furthest = video.currentTime;
      return;
    }
    if (video.currentTime - furthest >= (0.5 * WATCHDOG_MS) / 1000) {
      furthest = video.currentTime;
      stuckSince = 0;
      stallChecks = 0;
      if (root.dataset.state !== "playing") {
        if (player.grant && player.grant.status === "reconnecting") player.grant.status = "live";
        setState("playing");
      }
      return;
    }
    stuckSince = stuckSince || now;
    if (now - stuckSince >= STALL_CHECK_MS && now - lastCheck >= STALL_CHECK_MS) {
      lastCheck = now;
      stallChecks += 1;
      update("stall");
    }
  }, WATCHDOG_MS);

  // --- controls: sound and volume, full screen, picture-in-picture, and when they show ---------
  // Tests read player.fullscreen / player.pip: how often each was asked for and what came back
  // (a headless browser may refuse full screen; that is an answer, never a page error).
  player.fullscreen = { requested: 0, result: null };
  player.pip = { requested: 0, result: null };

  function showSound() {
    const silent = video.muted || video.volume === 0;
    sound.textContent = silent ? "Unmute" : "Mute";
    volume.value = String(video.muted ? 0 : video.volume);
    root.dataset.muted = String(silent);
  }

  sound.addEventListener("click", () => {
    video.muted = !video.muted;
    if (!video.muted && video.volume === 0) video.volume = 0.5;
    showSound();
    if (video.paused) video.play().catch(() => {});
  });

  volume.addEventListener("input", () => {
    video.volume = Number(volume.value);
    video.muted = video.volume === 0;
    showSound();
    if (!video.muted && video.paused) video.play().catch(() => {});
  });
  video.addEventListener("volumechange", showSound);

  const fullscreenElement = () => document.fullscreenElement || document.webkitFullscreenElement || null;

  async function toggleFullscreen() {
    player.fullscreen.requested += 1;
    try {
      if (fullscreenElement()) {
        await (document.exitFullscreen ? document.exitFullscreen() : document.webkitExitFullscreen());
      } else if (root.requestFullscreen) {
        await root.requestFullscreen(); // the container: the controls and badges come along
      } else if (root.webkitRequestFullscreen) {
        root.webkitRequestFullscreen();
      } else if (video.webkitEnterFullscreen) {
        video.webkitEnterFullscreen(); // iOS Safari: only a video element goes full screen
      } else {
        throw new Error("NotSupportedError");
      }
      player.fullscreen.result = "ok";
      showFullscreen();
    } catch (error) {
      player.fullscreen.result = (error && (error.name || error.message)) || String(error);
    }
  }

  function showFullscreen() {
    const on = fullscreenElement() === root;
    root.dataset.fullscreen = String(on);
    fullscreenButton.setAttribute("aria-label", on ? "Leave full screen" : "Full screen");
    fullscreenButton.title = on ? "Leave full screen" : "Full screen";
  }

  if (root.requestFullscreen || root.webkitRequestFullscreen || video.webkitEnterFullscreen) {
    fullscreenButton.addEventListener("click", toggleFullscreen);
    video.addEventListener("dblclick", toggleFullscreen);
    document.addEventListener("fullscreenchange", showFullscreen);
    document.addEventListener("webkitfullscreenchange", showFullscreen);
  } else {
    fullscreenButton.hidden = true;
  }

  if (document.pictureInPictureEnabled && !video.disablePictureInPicture) {
    pipButton.hidden = false;
    pipButton.addEventListener("click", async () => {
      player.pip.requested += 1;
      try {
        if (document.pictureInPictureElement) await document.exitPictureInPicture();
        else await video.requestPictureInPicture();
        player.pip.result = "ok";
      } catch (error) {
        player.pip.result = (error && (error.name || error.message)) || String(error); // e.g. nothing playing yet
      }
    });
    const showPip = () => {
      const on = document.pictureInPictureElement === video;
      pipButton.setAttribute("aria-label", on ? "Leave picture in picture" : "Picture in picture");
      pipButton.title = pipButton.getAttribute("aria-label");
    };
    video.addEventListener("enterpictureinpicture", showPip);
    video.addEventListener("leavepictureinpicture", showPip);
  }

  // The controls show while the video is not playing, on any pointer move, tap or focus, and
  // fade CONTROLS_IDLE_MS later; on touch screens (no hover) they always show (streaming.css).
  let idleTimer = null;
  function wake() {
    root.dataset.controls = "shown";
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (!root.contains(document.activeElement)) root.dataset.controls = "idle";
    }, CONTROLS_IDLE_MS);
  }
  ["pointermove", "pointerdown", "focusin", "keydown"].forEach((type) => root.addEventListener(type, wake));
  root.addEventListener("pointerleave", () => {
    clearTimeout(idleTimer);
    if (!root.contains(document.activeElement)) root.dataset.controls = "idle";
  });
  showSound();
  wake();

  document.addEventListener("visibilitychange", () => {
    // a tab that slept through its refresh timer renews at once
    if (document.visibilityState === "visible" && player.grant && player.grant.expires_at) {
      if (Date.parse(player.grant.expires_at) - Date.now() < 60000) update("refresh");
    }
  });

  setState(root.dataset.status === "offline" ? "offline" : "loading");
  update("start");
})();
