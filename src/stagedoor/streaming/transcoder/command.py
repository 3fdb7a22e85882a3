"""The ffmpeg command for one live stream: a pure function, golden-tested.

One ffmpeg process reads FLV on stdin and writes, under ``output_dir``:

- ``<rung>/_ffmpeg.m3u8``   ffmpeg's media playlists (private: the playlist publisher
  rewrites them into ``<rung>/index.m3u8`` with wall-clock program date-times),
- ``_master.m3u8``          ffmpeg's master playlist (published as ``master.m3u8``),
- ``<rung>/init_g<gen>_<rung>.mp4`` and ``<rung>/g<gen>_<n>.m4s``  fMP4 init + ~1 s segments,
- ``thumb.jpg``             a thumbnail, replaced atomically every few seconds,
- ``samples/<n>.jpg``       frame samples for moderation, every N seconds.

Progress (``key=value`` blocks) goes to stdout, logs to stderr.
Names that begin with ``_`` and the ``samples/`` folder are never served by an origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .encoders import EncoderStrategy, Libx264
from .ladder import LadderPreset, PlannedRung, SourceInfo, passthrough_allowed, plan_ladder

FFMPEG_PLAYLIST = "_ffmpeg.m3u8"
FFMPEG_MASTER = "_master.m3u8"
PUBLIC_PLAYLIST = "index.m3u8"
PUBLIC_MASTER = "master.m3u8"
THUMBNAIL = "thumb.jpg"
SAMPLES_DIR = "samples"


@dataclass(frozen=True, slots=True)
class TranscodeJob:
    output_dir: Path
    source: SourceInfo
    preset: LadderPreset = field(default_factory=LadderPreset)
    generation: int = 0
    ffmpeg: str = "ffmpeg"
    encoder: EncoderStrategy = field(default_factory=Libx264)

    @property
    def ladder(self) -> tuple[PlannedRung, ...]:
        return plan_ladder(self.preset, self.source)


def _seconds(value: float) -> str:
    return f"{value:g}"


def build_command(job: TranscodeJob) -> list[str]:
    preset, source, encoder = job.preset, job.source, job.encoder
    ladder = job.ladder
    out = job.output_dir
    gen = job.generation
    aligned_to_source = passthrough_allowed(preset, source)

    argv = [
        job.ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "warning",
        "-nostats",
        "-progress",
        "pipe:1",
        "-stats_period",
        "1",
        *encoder.global_args(),
        # no `-fflags +nobuffer`: it drops the timing of the packets read while probing,
        # which shifted the copied rung's video ~1 s against its audio and against the
        # encoded rungs (edit lists that players ignore), costing ~2 s of latency
        "-analyzeduration",
        "1000000",
        "-f",
        "flv",
        "-i",
        "pipe:0",
    ]

    # ---- filter graph: one split feeding every encoded rung, the thumbnail and samples
    encoded = [(i, r) for i, r in enumerate(ladder) if not r.copy]
    branches = [f"[e{i}]" for i, _ in encoded] + ["[thumbin]"]
    if preset.sample_every_s > 0:
        branches.append("[samplein]")
    chains = [f"[0:v]split={len(branches)}{''.join(branches)}"]
    for i, rung in encoded:
        chains.append(f"[e{i}]{encoder.scale_filter(rung)}[v{i}]")
    thumb_h = preset.thumbnail_height
    chains.append(
        f"[thumbin]fps=fps=1/{_seconds(preset.thumbnail_every_s)},scale=w=-2:h={thumb_h}:flags=bilinear[thumb]"
    )
    if preset.sample_every_s > 0:
        chains.append(
            f"[samplein]fps=fps=1/{_seconds(preset.sample_every_s)},scale=w=-2:h={preset.sample_height}:flags=bilinear[sample]"
        )
    argv += ["-filter_complex", ";".join(chains)]

    # ---- HLS output: video i (+ audio i) per rung
    for i, rung in enumerate(ladder):
        argv += ["-map", "0:v:0" if rung.copy else f"[v{i}]"]
        if source.has_audio:
            argv += ["-map", "0:a:0"]
    # the copied rung cuts at source keyframes: align the others to them; else a common time grid
    keyframes = "source" if aligned_to_source else f"expr:gte(t,n_forced*{_seconds(preset.segment_s)})"
    for i, rung in enumerate(ladder):
        if rung.copy:
            argv += [f"-c:v:{i}", "copy"]
        else:
            argv += encoder.video_args(i, rung)
            argv += [f"-force_key_frames:v:{i}", keyframes]
    if source.has_audio:
        argv += ["-c:a", "copy"]
    stream_map = " ".join(
        f"v:{i},a:{i},name:{r.name}" if source.has_audio else f"v:{i},name:{r.name}" for i, r in enumerate(ladder)
    )
    argv += [
        "-f",
        "hls",
        "-hls_time",
        _seconds(preset.segment_s),
        "-hls_list_size",
        str(preset.list_size),
        "-hls_delete_threshold",
        "3",
        "-hls_segment_type",
        "fmp4",
        "-hls_fmp4_init_filename",
        # ffmpeg's hlsenc expands %v in the init name only with several variant streams: a one-rung ladder
        # (a small source: only `src`) would write a literal `init_g0_%v.mp4` that no playlist names
        f"init_g{gen}_{ladder[0].name}.mp4" if len(ladder) == 1 else f"init_g{gen}_%v.mp4",
        "-hls_segment_filename",
        str(out / "%v" / f"g{gen}_%d.m4s"),
        "-hls_flags",
        "independent_segments+program_date_time+omit_endlist+append_list+delete_segments+temp_file",
        "-master_pl_name",
        FFMPEG_MASTER,
        "-var_stream_map",
        stream_map,
        str(out / "%v" / FFMPEG_PLAYLIST),
    ]

    # ---- thumbnail and frame samples (each its own output file: stream indices restart)
    argv += [
        "-map",
        "[thumb]",
        "-c:v",
        "mjpeg",
        "-q:v",
        "5",
        "-f",
        "image2",
        "-update",
        "1",
        "-atomic_writing",
        "1",
        str(out / THUMBNAIL),
    ]
    if preset.sample_every_s > 0:
        argv += [
            "-map",
            "[sample]",
            "-c:v",
            "mjpeg",
            "-q:v",
            "4",
            "-f",
            "image2",
            "-atomic_writing",
            "1",
            "-start_number",
            str(gen * 1_000_000),
            str(out / SAMPLES_DIR / "%09d.jpg"),
        ]
    return argv
