"""Shows' WebRTC benchmark: glass-to-glass latency through Janus, and how many private shows this machine runs.

    .venv/bin/python bench/shows.py [--max-shows 8] [--step-seconds 12] [--minute-seconds 10]

Everything real, in one run: Stagedoor's web app (Django, in a thread of this process, SQLite in a fresh var
dir), the SFU runtime (`stagedoor.shows.runtime.sfu_service`: Janus started and configured by Stagedoor), the
shows biller (helper services `stagedoor.shows.services` private_request/private_accept, `tasks.bill_pass`
every second, minutes shortened to --minute-seconds) and Debian's Chromium.

Each private show = a performer page publishing over WHIP a canvas on which it draws the current time
(`performance.timeOrigin + performance.now()`, 42 bits of milliseconds as black/white blocks, plus the
complement row as a check) at 30 fps, and a viewer page (the real show stage page: WHEP, watermark) that
decodes every frame it receives (requestVideoFrameCallback → canvas → blocks) and records now − drawn. Same
browser, same clock.

Ramp: N = 1, 2, 3… shows; a step passes when every viewer's p95 < 500 ms and the machine is not saturated
(CPU of all cores > 95 %: then the load generator — Chromium, which also encodes and decodes every stream —
starves the server and the step says nothing about it). `billing_errors`: minutes missing or doubled against
the time each viewer spent in the show, from ShowMinute rows and their ledger transfers.

Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLOCK_BITS = 42
BLOCK_W = 15
ROW_H = 24

PUBLISHER_JS = """async ([whip, bits, blockW, rowH]) => {
  const canvas = document.createElement('canvas');
  canvas.width = 640; canvas.height = 360;
  document.body.appendChild(canvas);
  const ctx = canvas.getContext('2d');
  let x = 0;
  function draw() {
    const t = Math.round(performance.timeOrigin + performance.now());
    ctx.fillStyle = '#808080'; ctx.fillRect(0, 0, 640, 360);
    ctx.fillStyle = '#3060c0'; ctx.fillRect(x, 120, 120, 120); x = (x + 4) % 520;
    for (let i = 0; i < bits; i++) {
      const bit = Math.floor(t / Math.pow(2, bits - 1 - i)) % 2;
      ctx.fillStyle = bit ? '#ffffff' : '#000000'; ctx.fillRect(i * blockW, 0, blockW, rowH);
      ctx.fillStyle = bit ? '#000000' : '#ffffff'; ctx.fillRect(i * blockW, rowH, blockW, rowH);
    }
  }
  draw();
  setInterval(draw, 8);
  const stream = canvas.captureStream(30);
  const csrf = decodeURIComponent(document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1]);
  window.benchPub = await StagedoorRTC.publish({url: whip, stream, csrfToken: csrf});
  return true;
}"""

VIEWER_JS = """([bits, blockW, rowH]) => {
  const v = document.querySelector('[data-stage-main]');
  const c = document.createElement('canvas');
  const ctx = c.getContext('2d', {willReadFrequently: true});
  window.benchLat = []; window.benchBad = 0;
  function onFrame(now, meta) {
    const w = v.videoWidth, h = v.videoHeight;
    if (w && h) {
      if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
      ctx.drawImage(v, 0, 0, w, h);
      const sx = w / 640, sy = h / 360;
      const row1 = ctx.getImageData(0, Math.floor(rowH * 0.5 * sy), w, 1).data;
      const row2 = ctx.getImageData(0, Math.floor(rowH * 1.5 * sy), w, 1).data;
      let t = 0, ok = true;
      for (let i = 0; i < bits; i++) {
        const px = Math.floor((i * blockW + blockW / 2) * sx) * 4;
        const a = row1[px] + row1[px + 1] + row1[px + 2] > 384, b = row2[px] + row2[px + 1] + row2[px + 2] > 384;
        if (a === b) { ok = false; break; }
        t = t * 2 + (a ? 1 : 0);
      }
      if (ok) window.benchLat.push(performance.timeOrigin + now - t); else window.benchBad++;
    }
    v.requestVideoFrameCallback(onFrame);
  }
  v.requestVideoFrameCallback(onFrame);
  return true;
}"""


def say(*parts: Any) -> None:
    print(*parts, flush=True)


# --- CPU accounting from /proc -------------------------------------------------------------------------------
def _proc_times() -> dict[int, tuple[str, int]]:
    out: dict[int, tuple[str, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        out[int(entry)] = (comm, int(fields[11]) + int(fields[12]))
    return out


def _total_busy() -> tuple[int, int]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuWindow:
    def __init__(self) -> None:
        self.procs = _proc_times()
        self.busy, self.total = _total_busy()
        self.t = time.monotonic()

    def finish(self) -> dict[str, float]:
        procs = _proc_times()
        busy, total = _total_busy()
        wall = time.monotonic() - self.t
        tick = os.sysconf("SC_CLK_TCK")
        groups = {"chromium": 0, "janus": 0, "stagedoor": 0, "other": 0}
        for pid, (comm, ticks) in procs.items():
            before = self.procs.get(pid, (comm, 0))[1]
            delta = max(0, ticks - before)
            if comm.startswith(("chrom", "headless")):
                groups["chromium"] += delta
            elif comm.startswith("janus"):
                groups["janus"] += delta
            elif pid == os.getpid():
                groups["stagedoor"] += delta
            else:
                groups["other"] += delta
        cores = os.cpu_count() or 1
        result = {f"cpu_{k}_pct": round(100 * v / tick / wall, 1) for k, v in groups.items()}
        result["machine_busy_pct"] = round(100 * (busy - self.busy) / max(1, total - self.total), 1)
        result["cores"] = cores
        return result


# --- Stagedoor in this process --------------------------------------------------------------------------------
def django_setup(var_dir: str, minute_seconds: int) -> None:
    os.environ["STAGEDOOR_VAR_DIR"] = var_dir
    os.environ.pop("STAGEDOOR_DATABASE_URL", None)
    os.environ["STAGEDOOR_SHOWS_MINUTE_SECONDS"] = str(minute_seconds)
    os.environ.setdefault("STAGEDOOR_SHOWS_JANUS_PORT", "18188")
    os.environ.setdefault("STAGEDOOR_SHOWS_RTP_PORTS", "40000-40999")
    os.environ.setdefault("STAGEDOOR_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagedoor.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class LoopThread:
    def __init__(self, service: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.stop_event: asyncio.Event | None = None
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        async def run() -> None:
            self.stop_event = asyncio.Event()
            await service(self.stop_event)

        self.task = asyncio.run_coroutine_threadsafe(run(), self.loop)

    def stop(self) -> None:
        if self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        try:
            self.task.result(30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


def web_server() -> tuple[Any, str]:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=True)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def make_user(login: str, role: str) -> Any:
    from stagedoor.accounts.models import User

    user = User.objects.create_user(login, f"{login}@bench.test", "bench-password-123456", role=role)
    if user.mfa_required:  # performers and staff: two-factor on (the bench signs them in directly)
        import pyotp

        user.totp_secret = pyotp.random_base32()
        user.mfa_enabled = True
        user.save(update_fields=["totp_secret", "mfa_enabled"])
    if role == "performer":
        from stagedoor.verification.testing import give_approved_identity

        give_approved_identity(user)
    return user


def signed_in_page(browser: Any, base: str, user: Any) -> Any:
    from django.conf import settings
    from django.test import Client

    from stagedoor.accounts.services import entry_consent_record

    entry_consent_record(
        user=user, session_key="", age_confirmed=True, terms_accepted=True, ip="127.0.0.1", user_agent="bench"
    )
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(viewport={"width": 900, "height": 700})
    context.set_default_timeout(30000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context.new_page()


class Biller:
    """helper A's biller pass every second, plus the viewers' page heartbeats (the bench's stage pages send none)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.participants: list[str] = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        from django.db import close_old_connections

        from stagedoor.shows.models import Participant
        from stagedoor.shows.services import participant_heartbeat
        from stagedoor.shows.tasks import bill_pass

        while not self.stop.wait(1.0):
            try:
                for pid in list(self.participants):
                    participant_heartbeat(participant=Participant.objects.get(pk=pid))
                bill_pass()
            except Exception as exc:
                self.errors.append(repr(exc))
            finally:
                close_old_connections()


class PrivateShow:
    def __init__(self, n: int, browser: Any, base: str, finance: Any) -> None:
        from stagedoor.shows.services import private_accept, private_request
        from stagedoor.wallet.services import promotion_grant

        self.performer = make_user(f"perf{n}", "performer")
        self.viewer = make_user(f"fan{n}", "viewer")
        promotion_grant(
            actor=finance, user=self.viewer, tokens=50_000, reason="bench", idempotency_key=uuid.uuid4().hex
        )
        requested = private_request(viewer=self.viewer, performer=self.performer)
        self.show = private_accept(performer=self.performer, show_id=requested.pk)
        self.pub = signed_in_page(browser, base, self.performer)
        self.pub.goto(f"{base}/studio")
        if not self.pub.evaluate("() => !!window.StagedoorRTC"):
            self.pub.add_script_tag(url="/static/shows/rtc.js")
        self.pub.evaluate(PUBLISHER_JS, [f"/shows/{self.show.pk}/media/whip", CLOCK_BITS, BLOCK_W, ROW_H])
        self.sub = signed_in_page(browser, base, self.viewer)
        self.sub.goto(f"{base}/shows/{self.show.pk}/media/")
        self.sub.wait_for_function(
            "() => { const v = document.querySelector('[data-stage-main]'); return v && v.videoWidth > 0; }",
            timeout=30000,
            polling=200,
        )
        self.sub.evaluate(VIEWER_JS, [CLOCK_BITS, BLOCK_W, ROW_H])

    def participant_id(self) -> str:
        from stagedoor.shows.models import Participant

        return str(Participant.objects.get(show=self.show, user=self.viewer).pk)

    def take(self) -> tuple[list[float], int]:
        data = self.sub.evaluate(
            "() => { const l = window.benchLat, b = window.benchBad; window.benchLat = []; window.benchBad = 0; return [l, b]; }"
        )
        return [float(x) for x in data[0]], int(data[1])

    def end(self) -> None:
        from stagedoor.shows.services import show_end

        show_end(performer=self.performer, show_id=self.show.pk)
        self.pub.context.close()
        self.sub.context.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def billing_errors(shows: list[PrivateShow], minute_s: int) -> tuple[int, list[str]]:
    """Minutes missing or doubled: each viewer's ShowMinute rows are 1..k with one ledger transfer each, of the
    viewer's rate, and k is the number of minutes begun while they were in the show."""
    from stagedoor.shows.models import Participant, ShowMinute
    from stagedoor.wallet.models import LedgerTransfer

    errors = 0
    notes: list[str] = []
    for s in shows:
        seat = Participant.objects.select_related("show").get(show=s.show, user=s.viewer)
        minutes = list(ShowMinute.objects.filter(participant=seat).order_by("minute"))
        numbers = [m.minute for m in minutes]
        k = len(minutes)
        if numbers != list(range(1, k + 1)):
            errors += 1
            notes.append(f"{seat.pk}: minutes {numbers}")
        transfers = LedgerTransfer.objects.filter(pk__in=[m.transfer_id for m in minutes]).count()
        if transfers != k:
            errors += abs(k - transfers)
            notes.append(f"{seat.pk}: {k} minutes, {transfers} transfers")
        if any(m.amount != seat.rate for m in minutes):
            errors += 1
            notes.append(f"{seat.pk}: an amount differs from the rate")
        started = seat.show.started_at
        ended = seat.left_at or seat.show.ended_at
        if started is not None and ended is not None:
            begun = max(1, math.ceil((ended - started).total_seconds() / minute_s))
            # billed ahead by up to bill_ahead_s: the next minute may be paid just before the end
            if not begun <= k <= begun + 1:
                errors += abs(k - begun)
                notes.append(f"{seat.pk}: {k} minutes billed for {begun} begun")
        if seat.minutes_billed != k:
            errors += 1
            notes.append(f"{seat.pk}: minutes_billed {seat.minutes_billed} != {k} rows")
    return errors, notes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-shows", type=int, default=8)
    parser.add_argument("--step-seconds", type=float, default=12.0)
    parser.add_argument("--minute-seconds", type=int, default=10)
    args = parser.parse_args()

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not shutil.which("janus") or not os.path.exists(chromium):
        say(json.dumps({"error": "janus and chromium are needed (apt-get install janus chromium)"}))
        sys.exit(1)
    var_dir = tempfile.mkdtemp(prefix="stagedoor-bench-shows-")
    django_setup(var_dir, args.minute_seconds)
    from stagedoor.shows.runtime import sfu_service

    server, base = web_server()
    sfu = LoopThread(sfu_service)
    try:
        run(args, sfu, base, chromium, var_dir)
    finally:
        sfu.stop()
        server.shutdown()
        shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace, sfu: LoopThread, base: str, chromium: str, var_dir: str) -> None:
    from stagedoor.shows.sfu.registry import current_sfu

    deadline = time.monotonic() + 30
    while current_sfu() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if current_sfu() is None:
        say(json.dumps({"error": "janus did not start"}))
        sys.exit(1)
    say(f"web on {base}, janus up (var {var_dir})")
    finance = make_user("finance1", "finance")
    biller = Biller()

    from playwright.sync_api import sync_playwright

    from stagedoor.conftest import CHROMIUM_ARGS

    shows: list[PrivateShow] = []
    steps: list[dict[str, Any]] = []
    first_latencies: list[float] = []
    largest_ok = 0
    stopped_by = f"max_shows ({args.max_shows})"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
        )
        try:
            for n in range(1, args.max_shows + 1):
                show = PrivateShow(n, browser, base, finance)
                shows.append(show)
                biller.participants.append(show.participant_id())
                for s in shows:
                    s.take()  # discard the warm-up
                time.sleep(2)
                for s in shows:
                    s.take()
                cpu = CpuWindow()
                time.sleep(args.step_seconds)
                usage = cpu.finish()
                per_viewer = []
                bad = 0
                for s in shows:
                    lat, b = s.take()
                    bad += b
                    per_viewer.append(lat)
                if n == 1:
                    first_latencies = per_viewer[0]
                p95s = [pct(lat, 0.95) if lat else float("inf") for lat in per_viewer]
                all_lat = [x for lat in per_viewer for x in lat]
                fps = [len(lat) / args.step_seconds for lat in per_viewer]
                saturated = usage["machine_busy_pct"] > 95
                ok = all(p < 500 for p in p95s) and not saturated
                step = {
                    "shows": n,
                    "p50_ms": round(statistics.median(all_lat), 1) if all_lat else None,
                    "worst_viewer_p95_ms": round(max(p95s), 1),
                    "min_viewer_fps": round(min(fps), 1),
                    "undecodable_frames": bad,
                    **usage,
                    "passed": ok,
                }
                steps.append(step)
                say("step", json.dumps(step))
                if ok:
                    largest_ok = n
                else:
                    stopped_by = (
                        f"load generator saturated (machine {usage['machine_busy_pct']} % busy, "
                        f"Chromium {usage['cpu_chromium_pct']} %)"
                        if saturated
                        else f"a viewer's p95 {max(p95s):.0f} ms >= 500 ms"
                    )
                    break
            # run a whole billed minute more, then end every show and audit the minutes
            time.sleep(max(0, args.minute_seconds + 2 - args.step_seconds))
            for s in shows:
                s.end()
        finally:
            browser.close()
    biller.stop.set()
    biller.thread.join(5)
    errors, notes = billing_errors(shows, args.minute_seconds)
    for note in notes:
        say("billing:", note)
    if biller.errors:
        say("biller exceptions:", biller.errors[:5])
    result = {
        "webrtc_glass_to_glass_ms_p50": round(statistics.median(first_latencies), 1) if first_latencies else None,
        "webrtc_glass_to_glass_ms_p95": round(pct(first_latencies, 0.95), 1) if first_latencies else None,
        "glass_to_glass_frames": len(first_latencies),
        "concurrent_private_shows": largest_ok,
        "ramp_stopped_by": stopped_by,
        "billing_errors": errors + len(biller.errors),
        "billed_minutes": sum(s_minutes(s) for s in shows),
        "minute_seconds": args.minute_seconds,
        "steps": steps,
    }
    say(json.dumps(result))


def s_minutes(show: PrivateShow) -> int:
    from stagedoor.shows.models import ShowMinute

    return ShowMinute.objects.filter(participant__show=show.show).count()


if __name__ == "__main__":
    main()
