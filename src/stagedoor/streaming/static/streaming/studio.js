// Studio "Go live" panel: OBS server URL and stream key (rotated via the API, shown once),
// and the live health of the performer's stream, polled every few seconds.
(() => {
  "use strict";

  const panel = document.querySelector("[data-studio]");
  if (!panel) return;
  const $ = (selector) => panel.querySelector(selector);
  const server = $("[data-studio-server]");
  const key = $("[data-studio-key]");
  const hint = $("[data-studio-key-hint]");
  const notice = $("[data-studio-key-notice]");
  const rotate = $("[data-studio-rotate]");
  const confirmRotate = $("[data-studio-rotate-confirm]");
  const errorBox = $("[data-studio-error]");
  const summary = $("[data-studio-health-summary]");
  const healthList = $("[data-studio-health]");
  const warnings = $("[data-studio-warnings]");
  const HEALTH_POLL_MS = 2000;
  let hasKey = false;

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
  }

  async function api(path, method = "GET") {
    const response = await fetch(`/api/v1${path}`, {
      method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.message || `The server answered ${response.status}.`);
    return body;
  }

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  function showSettings(settings) {
    server.value = settings.server_url;
    hasKey = settings.has_key;
    hint.textContent = settings.has_key
      ? `Active key ${settings.key_hint}${settings.key_last_used_at ? ", last used " + new Date(settings.key_last_used_at).toLocaleString() : ", not used yet"}.`
      : "You have no stream key yet.";
  }

  rotate.addEventListener("click", () => {
    showError("");
    if (hasKey) {
      confirmRotate.hidden = false; // replacing a key disconnects the encoder that uses it
      confirmRotate.focus();
      return;
    }
    doRotate();
  });
  confirmRotate.addEventListener("click", doRotate);

  async function doRotate() {
    confirmRotate.hidden = true;
    rotate.disabled = true;
    try {
      const answer = await api("/streaming/mine/key", "POST");
      showSettings(answer);
      key.value = answer.stream_key;
      notice.hidden = false;
      key.select();
    } catch (error) {
      showError(error.message);
    } finally {
      rotate.disabled = false;
    }
  }

  panel.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const input = panel.querySelector(button.dataset.copy);
      if (!input || !input.value) return;
      try {
        await navigator.clipboard.writeText(input.value);
        button.textContent = "Copied";
      } catch {
        input.select(); // no clipboard permission: leave it selected for Ctrl+C
      }
    });
  });

  const fmt = {
    duration(seconds) {
      const s = Math.floor(seconds);
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      return `${h ? h + " h " : ""}${m} min ${s % 60} s`;
    },
  };

  function setField(name, text) {
    const el = healthList.querySelector(`[data-h="${name}"]`);
    if (el) el.textContent = text;
  }

  function renderHealth(answer) {
    const h = answer.health;
    warnings.replaceChildren();
    if (!answer.observed) {
      summary.textContent = "Health numbers come from the ingest server, which does not run in this web process.";
      healthList.hidden = true;
      return;
    }
    if (!h) {
      summary.textContent = "Not receiving your stream. Start streaming in OBS with the server and key above.";
      healthList.hidden = true;
      return;
    }
    summary.textContent = h.state === "live" ? "Receiving your stream." : `Stream ${h.state}.`;
    healthList.hidden = false;
    const state = healthList.querySelector('[data-h="state"]');
    state.textContent = h.state;
    state.dataset.value = h.state;
    setField("uptime", fmt.duration(h.uptime_s));
    setField("bitrate", `${Math.round(h.input_bitrate_kbps)} kbps`);
    setField("fps", `${h.fps.toFixed(1)} fps`);
    setField("keyframe", h.keyframe_interval_s == null ? "—" : `${h.keyframe_interval_s.toFixed(2)} s`);
    setField("resolution", h.width ? `${h.width}×${h.height}` : "—");
    setField("codecs", [h.video_codec, h.audio_codec].filter(Boolean).join(" + ") || "—");
    setField("dropped", String(h.dropped_frames));
    setField("speed", h.encoder_speed ? `${h.encoder_speed.toFixed(2)}× real time` : "—");
    setField("restarts", String(h.transcoder_restarts));
    setField("rungs", h.rungs.join(", ") || "—");
    if (h.warnings.length === 0) {
      const ok = document.createElement("li");
      ok.dataset.ok = "";
      ok.textContent = "No problems found with your encoder settings.";
      warnings.append(ok);
    }
    h.warnings.forEach((warning) => {
      const item = document.createElement("li");
      item.dataset.code = warning.code;
      item.textContent = warning.message;
      warnings.append(item);
    });
  }

  async function pollHealth() {
    try {
      renderHealth(await api("/streaming/mine/health"));
    } catch (error) {
      summary.textContent = `Could not read the stream health: ${error.message}`;
    }
    setTimeout(pollHealth, document.visibilityState === "visible" ? HEALTH_POLL_MS : HEALTH_POLL_MS * 5);
  }

  api("/streaming/mine")
    .then(showSettings)
    .catch((error) => showError(error.message));
  pollHealth();
})();
