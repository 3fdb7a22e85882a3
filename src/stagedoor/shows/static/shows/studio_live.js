/* The studio's "Go live from your browser" card: camera preview, WHIP into the public room, stop. */
(function () {
  "use strict";
  const card = document.querySelector("[data-sd-browser-live]");
  if (!card || !window.StagedoorRTC) return;
  const $ = (s) => card.querySelector(s);
  const preview = $("[data-live-preview]"), status = $("[data-live-status]"), errorBox = $("[data-live-error]");
  const startBtn = $("[data-live-start]"), stopBtn = $("[data-live-stop]");
  let session = null, stream = null;
  const csrf = () => { const c = document.cookie.split("; ").find((x) => x.startsWith("csrftoken=")); return c ? decodeURIComponent(c.split("=")[1]) : ""; };
  function say(text) { status.textContent = text; }
  function fail(err) { errorBox.textContent = err.message || String(err); errorBox.hidden = false; }
  async function stop() {
    if (session) await session.stop();
    session = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    preview.srcObject = null;
    startBtn.hidden = false; stopBtn.hidden = true;
    say("Off air.");
  }
  startBtn.addEventListener("click", async () => {
    errorBox.hidden = true;
    startBtn.disabled = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 }, audio: true });
      preview.srcObject = stream;
      say("Connecting…");
      session = await StagedoorRTC.publish({
        url: card.dataset.whip, stream, csrfToken: csrf(),
        onState: (s) => { if (s === "connected") say("Live: your room is on air."); },
        onEnded: (reason) => { if (reason !== "stopped") { fail(new Error("The broadcast stopped (" + reason + ").")); stop(); } },
      });
      startBtn.hidden = true; stopBtn.hidden = false;
    } catch (err) {
      fail(err);
      await stop();
    } finally {
      startBtn.disabled = false;
    }
  });
  stopBtn.addEventListener("click", stop);
  window.addEventListener("pagehide", () => { if (session) session.stop(); });
})();
