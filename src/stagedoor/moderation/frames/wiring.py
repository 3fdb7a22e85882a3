"""Building a frame scanner from plain callables (the Django side supplies database-backed ones).

Wire it into the ingest from ``ModerationConfig.ready()``::

    from stagedoor.streaming.samples import set_sample_consumer_factory
    from stagedoor.moderation.frames.wiring import frame_scanner_factory, settings_from_config

    set_sample_consumer_factory(frame_scanner_factory(
        sink=open_cases_for_finding,            # FrameFinding -> None
        end_stream=end_stream_on_this_node,     # (room, reason) -> None; e.g. current_ingest().end_stream
        trust_lookup=room_trust,                # room -> TrustInfo | None
        hash_lists_loader=listed_hashes,        # () -> [(list_name, kind, hash_hex, ref[, owner]), ...]
        policy_lookup=room_content_policy,      # room -> RoomPolicy | None
        settings=settings_from_config(settings.STAGEDOOR.frames),
    ))

Each callable may be a plain function (run in a worker thread) or a coroutine function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .pdq import HashEntry, ListKind, load_hash_file
from .sampling import SamplingPolicy
from .scanner import EndStream, FrameScanner, HashListsLoader, PolicyLookup, ScannerSettings, Sink, TrustLookup

if TYPE_CHECKING:
    from stagedoor.core.config import FrameScanConfig


def settings_from_config(config: FrameScanConfig, **overrides: Any) -> ScannerSettings:
    """Scanner settings from ``settings.STAGEDOOR.frames`` (``STAGEDOOR_MODERATION_*``)."""
    settings = ScannerSettings(
        model_path=config.nudity_model,
        max_distance=config.hash_distance,
        queue_size=config.queue_size,
        workers=config.workers,
        sampling=SamplingPolicy(
            standard_interval_s=config.standard_interval_s, trusted_interval_s=config.trusted_interval_s
        ),
    )
    return replace(settings, **overrides)


def build_frame_scanner(
    sink: Sink,
    end_stream: EndStream,
    trust_lookup: TrustLookup,
    hash_lists_loader: HashListsLoader,
    policy_lookup: PolicyLookup,
    *,
    settings: ScannerSettings | None = None,
) -> FrameScanner:
    return FrameScanner(
        sink=sink,
        end_stream=end_stream,
        trust_lookup=trust_lookup,
        policy_lookup=policy_lookup,
        hash_lists_loader=hash_lists_loader,
        settings=settings,
    )


def frame_scanner_factory(
    sink: Sink,
    end_stream: EndStream,
    trust_lookup: TrustLookup,
    hash_lists_loader: HashListsLoader,
    policy_lookup: PolicyLookup,
    *,
    settings: ScannerSettings | None = None,
) -> Callable[[], FrameScanner]:
    """For ``streaming.samples.set_sample_consumer_factory``: a new scanner per ingest server."""

    def factory() -> FrameScanner:
        return build_frame_scanner(sink, end_stream, trust_lookup, hash_lists_loader, policy_lookup, settings=settings)

    return factory


def hash_files_loader(files: Iterable[tuple[str | Path, str, ListKind | str, str]]) -> Callable[[], list[HashEntry]]:
    """A loader over operator files, each ``(path, list_name, kind, owner)``; read again on every reload."""
    listed = list(files)

    def load() -> list[HashEntry]:
        entries: list[HashEntry] = []
        for path, list_name, kind, owner in listed:
            entries += load_hash_file(path, list_name=list_name, kind=kind, owner=owner)
        return entries

    return load
