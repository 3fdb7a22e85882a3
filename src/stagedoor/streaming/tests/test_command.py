"""Golden tests: the exact ffmpeg argv for each situation (Owncast-style)."""

from pathlib import Path

import pytest

from stagedoor.streaming.transcoder.command import TranscodeJob, build_command
from stagedoor.streaming.transcoder.encoders import EncoderStrategy, Libx264, Nvenc, Qsv, Vaapi, encoder_for
from stagedoor.streaming.transcoder.ladder import LadderPreset, PlannedRung, Rung, SourceInfo, plan_ladder

OUT = Path("/media/room1")
HEAD = [
    "ffmpeg",
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
]
INPUT = ["-analyzeduration", "1000000", "-f", "flv", "-i", "pipe:0"]
HLS_FLAGS = "independent_segments+program_date_time+omit_endlist+append_list+delete_segments+temp_file"


def x264(i: int, kbps: int, maxrate: int) -> list[str]:
    return [
        f"-c:v:{i}",
        "libx264",
        f"-preset:v:{i}",
        "veryfast",
        f"-tune:v:{i}",
        "zerolatency",
        f"-profile:v:{i}",
        "high",
        f"-b:v:{i}",
        f"{kbps}k",
        f"-maxrate:v:{i}",
        f"{maxrate}k",
        f"-bufsize:v:{i}",
        f"{maxrate}k",
        f"-sc_threshold:v:{i}",
        "0",
    ]


def hls(gen: int, stream_map: str) -> list[str]:
    return [
        "-f",
        "hls",
        "-hls_time",
        "1",
        "-hls_list_size",
        "6",
        "-hls_delete_threshold",
        "3",
        "-hls_segment_type",
        "fmp4",
        "-hls_fmp4_init_filename",
        f"init_g{gen}_%v.mp4",
        "-hls_segment_filename",
        f"/media/room1/%v/g{gen}_%d.m4s",
        "-hls_flags",
        HLS_FLAGS,
        "-master_pl_name",
        "_master.m3u8",
        "-var_stream_map",
        stream_map,
        "/media/room1/%v/_ffmpeg.m3u8",
    ]


THUMB = [
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
    "/media/room1/thumb.jpg",
]


def samples(gen: int) -> list[str]:
    return [
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
        "/media/room1/samples/%09d.jpg",
    ]


def test_720p_source_with_short_gop_is_passed_through_plus_480p_240p() -> None:
    job = TranscodeJob(OUT, SourceInfo(1280, 720, 30.0, 1.0, 2600.0, True))
    assert build_command(job) == [
        *HEAD,
        *INPUT,
        "-filter_complex",
        "[0:v]split=4[e1][e2][thumbin][samplein];"
        "[e1]scale=w=854:h=480:flags=bilinear,format=yuv420p[v1];"
        "[e2]scale=w=426:h=240:flags=bilinear,format=yuv420p[v2];"
        "[thumbin]fps=fps=1/4,scale=w=-2:h=360:flags=bilinear[thumb];"
        "[samplein]fps=fps=1/2,scale=w=-2:h=480:flags=bilinear[sample]",
        "-map",
        "0:v:0",
        "-map",
        "0:a:0",
        "-map",
        "[v1]",
        "-map",
        "0:a:0",
        "-map",
        "[v2]",
        "-map",
        "0:a:0",
        "-c:v:0",
        "copy",
        *x264(1, 1000, 1100),
        "-force_key_frames:v:1",
        "source",
        *x264(2, 300, 330),
        "-force_key_frames:v:2",
        "source",
        "-c:a",
        "copy",
        *hls(0, "v:0,a:0,name:src v:1,a:1,name:480p v:2,a:2,name:240p"),
        *THUMB,
        *samples(0),
    ]


def test_1080p60_with_long_gop_is_fully_transcoded_on_a_time_grid_without_audio() -> None:
    job = TranscodeJob(
        OUT, SourceInfo(1920, 1080, 60.0, 4.0, 6000.0, False), generation=3, preset=LadderPreset(sample_every_s=0)
    )
    assert build_command(job) == [
        *HEAD,
        *INPUT,
        "-filter_complex",
        "[0:v]split=4[e0][e1][e2][thumbin];"
        "[e0]fps=fps=30,scale=w=1280:h=720:flags=bilinear,format=yuv420p[v0];"
        "[e1]fps=fps=30,scale=w=854:h=480:flags=bilinear,format=yuv420p[v1];"
        "[e2]fps=fps=30,scale=w=426:h=240:flags=bilinear,format=yuv420p[v2];"
        "[thumbin]fps=fps=1/4,scale=w=-2:h=360:flags=bilinear[thumb]",
        "-map",
        "[v0]",
        "-map",
        "[v1]",
        "-map",
        "[v2]",
        *x264(0, 2500, 2750),
        "-force_key_frames:v:0",
        "expr:gte(t,n_forced*1)",
        *x264(1, 1000, 1100),
        "-force_key_frames:v:1",
        "expr:gte(t,n_forced*1)",
        *x264(2, 300, 330),
        "-force_key_frames:v:2",
        "expr:gte(t,n_forced*1)",
        *hls(3, "v:0,name:720p v:1,name:480p v:2,name:240p"),
        *THUMB,
    ]


def test_ladder_planning() -> None:
    preset = LadderPreset()
    assert plan_ladder(preset, SourceInfo(640, 360, 30, 1.0, 800)) == (
        PlannedRung("src", 640, 360, True, 800),
        PlannedRung("240p", 426, 240, False, 300),
    )
    # portrait phone: the rung height is the short side
    assert plan_ladder(preset, SourceInfo(720, 1280, 30, 3.0, 3000))[0] == PlannedRung("720p", 720, 1280, False, 2500)
    # tiny source below every rung: one encoded rung at the source size
    assert plan_ladder(preset, SourceInfo(320, 180, 30, 5.0)) == (PlannedRung("src", 320, 180, False, 300),)
    # over-cap bitrate or passthrough disabled: no copy
    assert not plan_ladder(preset, SourceInfo(1280, 720, 30, 1.0, 9000))[0].copy
    custom = LadderPreset(rungs=(Rung("360p", 360, 700),), passthrough=False)
    assert plan_ladder(custom, SourceInfo(1280, 720, 30, 1.0, 2000)) == (PlannedRung("360p", 640, 360, False, 700),)


RUNG = PlannedRung("480p", 854, 480, False, 1000)


@pytest.mark.parametrize(
    "encoder, global_args, scale, video",
    [
        (
            Nvenc(),
            [],
            "scale=w=854:h=480:flags=bilinear,format=yuv420p",
            [
                "-c:v:1",
                "h264_nvenc",
                "-preset:v:1",
                "p4",
                "-tune:v:1",
                "ll",
                "-rc:v:1",
                "cbr",
                "-profile:v:1",
                "high",
                "-bf:v:1",
                "0",
                "-no-scenecut:v:1",
                "1",
                "-b:v:1",
                "1000k",
                "-maxrate:v:1",
                "1100k",
                "-bufsize:v:1",
                "1100k",
            ],
        ),
        (
            Vaapi(),
            ["-init_hw_device", "vaapi=va:/dev/dri/renderD128", "-filter_hw_device", "va"],
            "format=nv12,hwupload,scale_vaapi=w=854:h=480",
            [
                "-c:v:1",
                "h264_vaapi",
                "-profile:v:1",
                "high",
                "-rc_mode:v:1",
                "CBR",
                "-bf:v:1",
                "0",
                "-b:v:1",
                "1000k",
                "-maxrate:v:1",
                "1100k",
                "-bufsize:v:1",
                "1100k",
            ],
        ),
        (
            Qsv(),
            ["-init_hw_device", "qsv=hw", "-filter_hw_device", "hw"],
            "scale=w=854:h=480:flags=bilinear,format=nv12",
            [
                "-c:v:1",
                "h264_qsv",
                "-preset:v:1",
                "veryfast",
                "-profile:v:1",
                "high",
                "-look_ahead:v:1",
                "0",
                "-bf:v:1",
                "0",
                "-b:v:1",
                "1000k",
                "-maxrate:v:1",
                "1100k",
                "-bufsize:v:1",
                "1100k",
            ],
        ),
        (
            Libx264(threads=2),
            [],
            "scale=w=854:h=480:flags=bilinear,format=yuv420p",
            [*x264(1, 1000, 1100), "-threads:v:1", "2"],
        ),
    ],
)
def test_hardware_encoder_slots(encoder: EncoderStrategy, global_args: list[str], scale: str, video: list[str]) -> None:
    assert encoder.global_args() == global_args
    assert encoder.scale_filter(RUNG) == scale
    assert encoder.video_args(1, RUNG) == video


def test_hardware_strategy_args_land_before_the_input() -> None:
    job = TranscodeJob(OUT, SourceInfo(1280, 720, 30, 4.0), encoder=Vaapi())
    argv = build_command(job)
    assert argv.index("-init_hw_device") < argv.index("-i")


def test_unknown_encoder_name() -> None:
    with pytest.raises(ValueError, match="unknown encoder 'quicksync'"):
        encoder_for("quicksync")


def test_a_one_rung_ladder_writes_the_init_segment_its_playlist_names(tmp_path: Path) -> None:
    """ffmpeg expands `%v` in the init name only with several variant streams: a small source (only `src`) must
    still write the init segment the playlist's EXT-X-MAP points at (it wrote a literal `init_g0_%v.mp4`)."""
    import re
    import subprocess
    import time

    from stagedoor.streaming.ingest import ffmpeg_binary

    ffmpeg = ffmpeg_binary()
    flv = subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "4", "-c:v", "libx264", "-g", "30", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-f", "flv", "pipe:1"],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    job = TranscodeJob(tmp_path, SourceInfo(320, 180, 30.0, 1.0, 300.0, True))
    argv = build_command(job)
    assert any(a == "init_g0_src.mp4" for a in argv)
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "samples").mkdir(exist_ok=True)
    proc = subprocess.run([ffmpeg, *argv[1:]], input=flv, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    deadline = time.monotonic() + 10
    playlists = list(tmp_path.glob("src/*.m3u8"))
    while not playlists and time.monotonic() < deadline:
        time.sleep(0.2)
        playlists = list(tmp_path.glob("src/*.m3u8"))
    assert playlists, sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    text = playlists[0].read_text()
    uri = re.search(r'#EXT-X-MAP:URI="([^"]+)"', text)
    assert uri is not None, text
    assert (playlists[0].parent / uri.group(1)).is_file(), (uri.group(1), sorted(p.name for p in tmp_path.rglob("*")))
    assert not list(tmp_path.rglob("*%v*"))
