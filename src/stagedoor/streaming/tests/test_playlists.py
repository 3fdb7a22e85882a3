from datetime import UTC, datetime
from pathlib import Path

from stagedoor.streaming.transcoder.playlists import PlaylistPublisher, PlaylistRewriter, rewrite_master

FFMPEG_PLAYLIST = """#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:1
#EXT-X-MEDIA-SEQUENCE:4
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="init_g1_480p.mp4"
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T10:00:05.500+0000
g0_4.m4s
#EXT-X-DISCONTINUITY
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T10:00:30.900+0000
g1_5.m4s
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T10:00:31.900+0000
g1_6.m4s
"""


def test_rewrite_shifts_date_times_to_ingest_clock_and_maps_each_generation() -> None:
    r = PlaylistRewriter("480p")
    r.anchors = {0: datetime(2026, 1, 1, 10, 0, 5, tzinfo=UTC), 1: datetime(2026, 1, 1, 10, 0, 30, tzinfo=UTC)}
    assert (
        r.rewrite(FFMPEG_PLAYLIST)
        == """#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:1
#EXT-X-MEDIA-SEQUENCE:4
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-DISCONTINUITY-SEQUENCE:0
#EXT-X-MAP:URI="init_g0_480p.mp4"
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T10:00:05.000Z
g0_4.m4s
#EXT-X-DISCONTINUITY
#EXT-X-MAP:URI="init_g1_480p.mp4"
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T10:00:30.000Z
g1_5.m4s
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T10:00:31.000Z
g1_6.m4s
"""
    )
    # once generation 0 slides out, the discontinuity sequence counts it
    later = FFMPEG_PLAYLIST.replace("#EXT-X-MEDIA-SEQUENCE:4", "#EXT-X-MEDIA-SEQUENCE:5").split("g0_4.m4s\n")
    text = later[0].rsplit("#EXTINF", 1)[0] + later[1]
    out = r.rewrite(text)
    assert "#EXT-X-DISCONTINUITY-SEQUENCE:1" in out
    assert "#EXT-X-DISCONTINUITY\n" not in out
    assert out.count("#EXT-X-MAP") == 1


def test_without_anchor_ffmpeg_clock_is_kept() -> None:
    out = PlaylistRewriter("480p").rewrite(FFMPEG_PLAYLIST)
    assert "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T10:00:05.500Z" in out


def test_master_points_at_public_playlists() -> None:
    assert (
        rewrite_master("#EXT-X-STREAM-INF:BANDWIDTH=1\nsrc/_ffmpeg.m3u8\n")
        == "#EXT-X-STREAM-INF:BANDWIDTH=1\nsrc/index.m3u8\n"
    )


def test_publisher_writes_only_changed_playlists(tmp_path: Path) -> None:
    (tmp_path / "480p").mkdir()
    (tmp_path / "samples").mkdir()
    (tmp_path / "480p" / "_ffmpeg.m3u8").write_text(FFMPEG_PLAYLIST)
    (tmp_path / "_master.m3u8").write_text("#EXTM3U\n480p/_ffmpeg.m3u8\n")
    pub = PlaylistPublisher(tmp_path)
    pub.set_anchor(0, datetime(2026, 1, 1, 10, 0, 5, tzinfo=UTC))
    assert pub.publish_once() == 2
    assert pub.publish_once() == 0
    assert (tmp_path / "master.m3u8").read_text() == "#EXTM3U\n480p/index.m3u8\n"
    assert "10:00:05.000Z" in (tmp_path / "480p" / "index.m3u8").read_text()
    assert sorted(p.name for p in (tmp_path / "480p").iterdir()) == ["_ffmpeg.m3u8", "index.m3u8"]


def test_publisher_knows_when_the_next_playlist_is_due(tmp_path: Path) -> None:
    pub = PlaylistPublisher(tmp_path)
    assert pub.next_change_due(1.0) is None  # nothing seen yet: the supervisor polls fast
    for rung in ("src", "240p"):
        (tmp_path / rung).mkdir()
        (tmp_path / rung / "_ffmpeg.m3u8").write_text(FFMPEG_PLAYLIST)
    pub.publish_once()
    first = min(pub.changed_at.values())
    # both rungs were just written: the next write is due one segment after the older one
    assert pub.next_change_due(1.0) == first + 0.7
    assert pub.next_change_due(2.0, early=0.5) == first + 1.0
    (tmp_path / "src" / "_ffmpeg.m3u8").write_text(FFMPEG_PLAYLIST + "#EXT-X-ENDLIST\n")
    pub.publish_once()
    assert pub.changed_at["src"] > pub.changed_at["240p"]
    assert pub.next_change_due(1.0) == pub.changed_at["240p"] + 0.7  # the rung written longest ago


def test_supervisor_polls_fast_only_when_a_playlist_is_due(tmp_path: Path) -> None:
    from stagedoor.streaming.supervisor import StreamState, StreamSupervisor, SupervisorConfig

    sup = StreamSupervisor("room", SupervisorConfig(media_root=tmp_path, ffmpeg="ffmpeg", playlist_poll_s=0.05))
    sup.ladder = ("src", "240p")  # type: ignore[assignment]  # only the rung count matters here
    sup.state = StreamState.STARTING
    assert sup._next_poll_delay(100.0) == 0.05  # not live yet: the first playlist must be seen at once
    sup.state = StreamState.LIVE
    sup._publisher_pub.changed_at = {"src": 100.0}
    assert sup._next_poll_delay(100.0) == 0.05  # a rung not seen yet
    sup._publisher_pub.changed_at = {"src": 100.0, "240p": 100.2}
    assert abs(sup._next_poll_delay(100.2) - 0.5) < 1e-9  # sleep until 0.7 s after the older write
    assert sup._next_poll_delay(100.69) == 0.05  # inside the window: fast again
    assert sup._next_poll_delay(103.0) == 0.05  # overdue (a stalled rung): fast, as before
