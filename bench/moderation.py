"""Trust & safety benchmark: the chat classifier's throughput and quality, its cost inside the chat
gateway, and (from bench/moderation_frames.py, when present) frame scanning.

    .venv/bin/python bench/moderation.py [--seconds 3] [--batch 256] [--no-fanout] [--connections 2000]

Measured, one process, one thread:

* ``chat_msgs_per_s_per_core``: lines per CPU-second through the full classify path, batched as
  ``ChatTextClassifier.classify_batch`` runs it (skeleton + normalisation + rules + one vectorised
  model pass + policy), on a chat-like mix: 95 % benign, 5 % risky lines of the held-out split.
  ``chat_msgs_per_s_per_core_heldout_mix`` is the same on the whole held-out split (57 % risky, most
  of it obfuscated: the worst case). ``chat_single_us_per_msg`` is the per-message path the gateway
  runs on its event loop (``classify(text, ctx)``, the pipeline's skeleton given).
* ``recall_min``, ``benign_fpr`` and per-category precision/recall of the held-out split.
* ``chat_pipeline_overhead_ratio``: bench/chat.py's load steps against our gateway twice, without
  and with the classifier in its pipeline; deliveries per server CPU-second at the highest rate step,
  without ÷ with
  (each configuration run ``--rounds`` times, interleaved; the medians are compared: the machine is
  shared, and one run's noise is larger than the classifier's cost at this fan-out).
* ``frames_per_s_per_core`` and the rest of ``measure_frames()`` if bench/moderation_frames.py exists.

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


def _corpus(*, benign_share: float | None, n: int, seed: int = 11) -> list[str]:
    from stagedoor.chat.pipeline.normalize import display_text
    from stagedoor.moderation.text.training import heldout_examples

    examples = heldout_examples()
    rng = random.Random(seed)
    if benign_share is None:
        lines = [e.text for e in examples]
    else:
        benign = [e.text for e in examples if e.label == "benign"]
        risky = [e.text for e in examples if e.label != "benign"]
        lines = [rng.choice(benign) if rng.random() < benign_share else rng.choice(risky) for _ in range(n)]
    rng.shuffle(lines)
    return [display_text(t) for t in lines[:n]]  # what the gateway hands the classifier


def measure_classify(seconds: float, batch: int) -> dict[str, Any]:
    from stagedoor.chat.pipeline.classifier import ClassifyContext
    from stagedoor.chat.pipeline.normalize import skeleton
    from stagedoor.moderation.text.classifier import DEFAULT_MODEL_PATH, ChatTextClassifier, shared_moderator
    from stagedoor.moderation.text.policy import PolicyTable

    t0 = time.perf_counter()
    clf = ChatTextClassifier(shared_moderator(DEFAULT_MODEL_PATH), PolicyTable())
    load_ms = (time.perf_counter() - t0) * 1000

    def batched(lines: list[str]) -> float:
        clf.classify_batch(lines[:batch])  # warm the word cache as a running gateway has it
        best = 0.0
        for _ in range(3):
            done, cpu0, wall_end = 0, time.process_time(), time.perf_counter() + seconds / 3
            while time.perf_counter() < wall_end:
                for i in range(0, len(lines), batch):
                    clf.classify_batch(lines[i : i + batch], ["bench"] * len(lines[i : i + batch]))
                done += len(lines)
            best = max(best, done / (time.process_time() - cpu0))
        return best

    chat_mix = _corpus(benign_share=0.95, n=4000)
    heldout_mix = _corpus(benign_share=None, n=4000)
    ctxs = [ClassifyContext(room="bench", user_id="1", role="viewer", skeleton=skeleton(t)) for t in chat_mix]
    for t, c in zip(chat_mix, ctxs, strict=True):
        clf.classify(t, c)
    single = []
    for _ in range(3):
        cpu0 = time.process_time()
        for t, c in zip(chat_mix, ctxs, strict=True):
            clf.classify(t, c)
        single.append((time.process_time() - cpu0) / len(chat_mix) * 1e6)
    return {
        "chat_msgs_per_s_per_core": round(batched(chat_mix)),
        "chat_msgs_per_s_per_core_heldout_mix": round(batched(heldout_mix)),
        "chat_single_us_per_msg": round(min(single), 1),
        "chat_batch": batch,
        "model_load_ms": round(load_ms, 1),
    }


def measure_quality() -> dict[str, Any]:
    from stagedoor.moderation.text.classifier import DEFAULT_MODEL_PATH, shared_moderator
    from stagedoor.moderation.text.training import evaluate, heldout_examples

    examples = heldout_examples()
    report = evaluate(shared_moderator(DEFAULT_MODEL_PATH), examples)
    fresh = evaluate(shared_moderator(DEFAULT_MODEL_PATH), [e for e in examples if ".f" in e.template])
    return {
        "recall_min": report["recall_min"],
        "benign_fpr": report["benign_fpr"],
        "heldout_lines": report["lines"],
        "categories": {
            k: {"precision": v["precision"], "recall": v["recall"]} for k, v in report["categories"].items()
        },
        "fresh_recall_min": fresh["recall_min"],
        "fresh_benign_fpr": fresh["benign_fpr"],
    }


# --------------------------------------------------------------------------- the gateway, with/without
class _WithoutTimingMark:
    """Classifies the line without bench/chat.py's send-time mark ("@T=<monotonic ns>"): thirteen-odd
    digits read as a phone number, and a held line is never delivered. Everything else is classified."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def classify(self, text: str, ctx: Any) -> Any:
        from dataclasses import replace

        i = text.find("@T=")
        if i >= 0:
            j = text.find(" ", i)
            text = text[:i] + (text[j:] if j >= 0 else "")
            k = ctx.skeleton.find("@t=")
            if k >= 0:
                m = ctx.skeleton.find(" ", k)
                ctx = replace(ctx, skeleton=ctx.skeleton[:k] + (ctx.skeleton[m:] if m >= 0 else ""))
        return self.inner.classify(text, ctx)


async def serve_gateway(port: int, classifier: bool) -> None:
    """bench/chat.py's "ours" server, with the chat classifier in its pipeline when asked."""
    from chat import BENCH_KEY, raise_nofile

    from stagedoor.chat.gateway import ChatGateway, GatewayConfig, start_chat_gateway
    from stagedoor.chat.pipeline.message import MessagePipeline, PipelineConfig

    raise_nofile()
    cfg = GatewayConfig(ticket_key=BENCH_KEY, pipeline=PipelineConfig(ip_burst=None))
    pipeline = MessagePipeline(cfg.pipeline)
    if classifier:
        from stagedoor.moderation.text.classifier import DEFAULT_MODEL_PATH, ChatTextClassifier, shared_moderator
        from stagedoor.moderation.text.policy import PolicyTable

        inner = ChatTextClassifier(shared_moderator(DEFAULT_MODEL_PATH), PolicyTable())
        pipeline = MessagePipeline(cfg.pipeline, classifier=_WithoutTimingMark(inner))
    running = await start_chat_gateway("127.0.0.1", port, ChatGateway(cfg, pipeline=pipeline))
    print(f"READY {running.port}", flush=True)
    await asyncio.Future()


def measure_overhead(args: argparse.Namespace, log: Any) -> dict[str, Any]:
    import chat

    load_args = argparse.Namespace(
        connections=args.connections, rates=args.rates, step=args.step, procs=1, with_asgi=False
    )
    runs: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.rounds):
        for with_classifier in (False, True):
            cmd = [sys.executable, str(Path(__file__).resolve()), "--role", "server", "--port", "0"]
            if with_classifier:
                cmd.append("--classifier")
            result = chat.run_target("ours", load_args, log, server_cmd=cmd)
            # the same step (the highest rate) in every run: per-CPU-second figures of different rates differ
            top = max(result["steps"], key=lambda s: s["rate"])["deliveries_per_cpu_s"]
            log(f"[{'with' if with_classifier else 'without'} classifier] {top:.0f} deliveries/CPU-s")
            runs[with_classifier].append(top)
    off, on = statistics.median(runs[False]), statistics.median(runs[True])
    return {
        "chat_pipeline_overhead_ratio": round(off / on, 3) if on else None,
        "chat_deliveries_per_cpu_s_without": round(off),
        "chat_deliveries_per_cpu_s_with": round(on),
        "chat_bench_connections": args.connections,
    }


def measure_frames_if_present(log: Any) -> dict[str, Any]:
    try:
        from moderation_frames import measure_frames
    except ImportError as exc:
        log(f"frames: skipped ({exc})")
        return {}
    try:
        return dict(measure_frames())
    except Exception as exc:  # a missing model or codec on this machine: report, do not fail the chat numbers
        log(f"frames: failed ({type(exc).__name__}: {exc})")
        return {"frames_error": f"{type(exc).__name__}: {exc}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--role", choices=["bench", "server"], default="bench")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--classifier", action="store_true", help="server role: classify every line")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per throughput measurement")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--no-fanout", action="store_true", help="skip the gateway overhead measurement")
    parser.add_argument("--no-frames", action="store_true", help="skip frame scanning")
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")], default=[20.0, 40.0])
    parser.add_argument("--step", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="gateway runs per configuration")
    args = parser.parse_args()
    if args.role == "server":
        import uvloop

        uvloop.run(serve_gateway(args.port, args.classifier))
        return

    def log(msg: str) -> None:
        print(msg, flush=True)

    result: dict[str, Any] = {}
    result.update(measure_classify(args.seconds, args.batch))
    log(json.dumps(result))
    result.update(measure_quality())
    log(json.dumps({k: v for k, v in result.items() if k != "categories"}))
    if not args.no_fanout:
        result.update(measure_overhead(args, log))
    if not args.no_frames:
        result.update(measure_frames_if_present(log))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
