"""A browser's public-room broadcast into the transcoder ladder: Janus forwards the publisher's RTP (VP8,
Opus) to two local UDP ports, ffmpeg reads them through an SDP file, transcodes to H.264/AAC with a 1 s
keyframe interval and pushes RTMP into Stagedoor's own ingest, exactly like OBS would."""

from __future__ import annotations

import socket

from .client import AUDIO_PT, VIDEO_PT


def forward_sdp(video_port: int, audio_port: int, host: str = "127.0.0.1") -> str:
    return "\r\n".join(
        [
            "v=0",
            f"o=- 0 0 IN IP4 {host}",
            "s=stagedoor browser broadcast",
            f"c=IN IP4 {host}",
            "t=0 0",
            f"m=video {video_port} RTP/AVP {VIDEO_PT}",
            f"a=rtpmap:{VIDEO_PT} VP8/90000",
            "a=recvonly",
            f"m=audio {audio_port} RTP/AVP {AUDIO_PT}",
            f"a=rtpmap:{AUDIO_PT} opus/48000/2",
            "a=recvonly",
            "",
        ]
    )


def forward_argv(ffmpeg: str, sdp_path: str, rtmp_url: str) -> list[str]:
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "warning",
        "-protocol_whitelist",
        "file,udp,rtp",
        "-fflags",
        "+genpts+nobuffer",
        "-reorder_queue_size",
        "256",
        "-analyzeduration",
        "2000000",
        "-i",
        sdp_path,
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-r",
        "30",
        "-force_key_frames",
        "expr:gte(t,n_forced*1)",
        "-b:v",
        "2500k",
        "-maxrate",
        "3000k",
        "-bufsize",
        "3000k",
        "-c:a",
        "aac",
        "-ar",
        "48000",
        "-b:a",
        "128k",
        "-f",
        "flv",
        rtmp_url,
    ]


def free_udp_pair() -> int:
    """An even local UDP port whose odd neighbour (RTCP) is free too."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        if port % 2 or port >= 65534:
            continue
        try:
            with (
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as a,
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as b,
            ):
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise OSError("no free local UDP port pair")
