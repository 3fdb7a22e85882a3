"""PDQ hashing and hash-list matching (``frames/pdq.py``), on synthetic pictures only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from stagedoor.moderation.frames.analysis import FrameAnalyzer
from stagedoor.moderation.frames.image import decode_jpeg
from stagedoor.moderation.frames.pdq import (
    DEFAULT_MAX_DISTANCE,
    HashEntry,
    HashFileError,
    HashFormatError,
    HashIndex,
    HashMatch,
    ListKind,
    from_hex,
    hamming,
    hash_image,
    load_hash_file,
    to_hex,
)

from .test_frames_media import Image, drawn, pattern, reference_hash, to_jpeg

PICTURES: dict[str, Callable[[], Image]] = {
    "drawn-11": lambda: drawn(11),
    "drawn-12": lambda: drawn(12),
    "drawn-13": lambda: drawn(13),
    "drawn-14": lambda: drawn(14),
    "testsrc2": lambda: pattern("testsrc2"),
    "smptehdbars": lambda: pattern("smptehdbars"),
    "mandelbrot": lambda: pattern("mandelbrot"),
}


def _crop(image: Image, fraction: float) -> Image:
    height, width = image.shape[:2]
    dx, dy = int(width * fraction), int(height * fraction)
    return image[dy : height - dy, dx : width - dx]


def _resize(image: Image, width: int, height: int) -> Image:
    return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _light(image: Image, gain: float, offset: float) -> Image:
    return np.asarray(cv2.convertScaleAbs(image, alpha=gain, beta=offset), dtype=np.uint8)


TRANSFORMS: dict[str, Callable[[Image], bytes]] = {
    "re-encoded at JPEG quality 30": lambda im: to_jpeg(im, 30),
    "scaled to half size": lambda im: to_jpeg(_resize(im, 640, 360)),
    "scaled to a 480p sample": lambda im: to_jpeg(_resize(im, 854, 480), 75),
    "scaled up to 1080p": lambda im: to_jpeg(np.asarray(cv2.resize(im, (1920, 1080)), dtype=np.uint8)),
    "cropped by 2% at every edge": lambda im: to_jpeg(_crop(im, 0.02)),
    "brighter": lambda im: to_jpeg(_light(im, 1.0, 40)),
    "darker": lambda im: to_jpeg(_light(im, 0.7, 0)),
    "mirrored": lambda im: to_jpeg(np.ascontiguousarray(im[:, ::-1])),
    "cropped, scaled, brightened and re-encoded": lambda im: to_jpeg(
        _light(_resize(_crop(im, 0.02), 640, 360), 1.1, 25), 40
    ),
}


@pytest.fixture(scope="module")
def listed() -> HashIndex:
    return HashIndex([("known-bad", "prohibited", reference_hash(make()), name) for name, make in PICTURES.items()])


@pytest.mark.parametrize("transform", list(TRANSFORMS))
@pytest.mark.parametrize("picture", list(PICTURES))
def test_a_transformed_copy_of_a_listed_picture_matches_it_and_nothing_else(
    listed: HashIndex, picture: str, transform: str
) -> None:
    copy = TRANSFORMS[transform](PICTURES[picture]())
    frame = hash_image(decode_jpeg(copy).image)
    assert frame.quality >= 50
    matches = listed.match(frame)
    assert [(m.list_name, m.kind, m.ref) for m in matches] == [("known-bad", ListKind.PROHIBITED, picture)]
    assert matches[0].distance <= DEFAULT_MAX_DISTANCE
    assert matches[0].variant == min(
        frame.variants, key=lambda v: hamming(frame.hashes[frame.variants.index(v)], matches[0].hash_hex)
    )
    if transform == "mirrored":
        assert matches[0].variant == "flip_y"  # PDQ calls a left-right mirror a flip about the y axis


@pytest.mark.parametrize(
    "unrelated",
    [lambda: drawn(21), lambda: drawn(22), lambda: drawn(23), lambda: pattern("testsrc"), lambda: pattern("life")],
    ids=["drawn-21", "drawn-22", "drawn-23", "testsrc", "life"],
)
def test_an_unrelated_picture_matches_nothing(listed: HashIndex, unrelated: Callable[[], Image]) -> None:
    frame = hash_image(decode_jpeg(to_jpeg(unrelated())).image)
    assert listed.match(frame) == []
    closest = min(hamming(row, entry.hash_hex) for row in frame.hashes for entry in listed.entries)
    assert closest > 2 * DEFAULT_MAX_DISTANCE  # not a near miss: unrelated pictures are ~128 bits apart


def test_hashes_are_written_in_the_reference_format() -> None:
    small = drawn(5, 384, 216)  # not reduced before hashing, so exactly pdqhash's own result
    frame = hash_image(small, dihedral=False, uncrop=())
    assert frame.variants == ("original",) and frame.hashes.shape == (1, 4)
    assert frame.hex == reference_hash(small)
    assert to_hex(from_hex(frame.hex.upper())) == frame.hex
    assert len(hash_image(small).variants) == 10  # 8 rotations/mirrors + 2 uncrop stretches


def test_hamming_distance() -> None:
    zeros, ones = "0" * 64, "f" * 64
    assert hamming(zeros, ones) == 256
    assert hamming(zeros, "0" * 63 + "1") == 1
    assert hamming(zeros, "8" + "0" * 63) == 1
    assert hamming(from_hex("0f" * 32), "ff" * 32) == 128


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "expected 64 hexadecimal digits, got 'abc'"),
        ("g" * 64, f"expected 64 hexadecimal digits, got '{'g' * 64}'"),
        ("0" * 65, f"expected 64 hexadecimal digits, got '{'0' * 65}'"),
    ],
)
def test_a_malformed_hash_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(HashFormatError) as caught:
        from_hex(text)
    assert caught.value.code == "moderation.hash_malformed" and caught.value.message == message


def test_matches_are_ordered_prohibited_first_then_closest() -> None:
    base = drawn(31)
    frame = hash_image(decode_jpeg(to_jpeg(base)).image)
    own = frame.hex
    near = to_hex(from_hex(own) ^ np.array([0b111, 0, 0, 0], dtype=np.uint64))  # 3 bits away
    index = HashIndex(
        [
            ("removals", "removed", own, "case-1"),
            ("removals", "removed", near, "case-2"),
            ("industry", "prohibited", near, "ncm-9"),
            ("leaks-ada", "leaked", own, "clip-4", "room-ada"),
            ("other", "removed", "f" * 64, "case-3"),
        ]
    )
    assert index.counts() == {"prohibited": 1, "removed": 3, "leaked": 1}
    assert [(m.ref, m.distance, m.variant) for m in index.match(frame)] == [
        ("ncm-9", 3, "original"),
        ("case-1", 0, "original"),
        ("clip-4", 0, "original"),
        ("case-2", 3, "original"),
    ]
    # a performer's own leaked-content list does not flag their own room, only others
    analyzer = FrameAnalyzer(None, index)
    assert "clip-4" not in [m.ref for m in analyzer.hash_stage(to_jpeg(base), "room-ada").matches]
    assert "clip-4" in [m.ref for m in analyzer.hash_stage(to_jpeg(base), "room-bob").matches]


def test_a_long_list_is_matched_in_blocks() -> None:
    rng = np.random.default_rng(5)
    words = rng.integers(0, 2**64, size=(40_000, 4), dtype=np.uint64)
    frame = hash_image(drawn(32))
    target = frame.hashes[0].copy()
    target[2] ^= np.uint64(0b1011)  # 3 bits from the frame's own hash
    words[35_001] = target
    index = HashIndex([("big", "removed", to_hex(w), f"r{i}") for i, w in enumerate(words)], max_distance=10)
    assert index.match(frame) == [HashMatch("big", ListKind.REMOVED, "r35001", to_hex(target), 3, "original")]


def test_a_featureless_frame_is_not_matched_even_against_its_own_hash() -> None:
    grey = np.full((720, 1280, 3), 90, np.uint8)
    frame = hash_image(grey)
    assert frame.quality < 50
    analyzer = FrameAnalyzer(None, HashIndex([("l", "prohibited", frame.hex, "flat")]))
    stage = analyzer.hash_stage(to_jpeg(grey))
    assert stage.pdq_quality == frame.quality and stage.matches == ()


def test_list_rows_are_checked() -> None:
    with pytest.raises(HashFormatError) as caught:
        HashIndex([("l", "forbidden", "0" * 64, "r")])
    assert caught.value.message == "unknown list kind 'forbidden' (expected prohibited, removed, leaked)"
    with pytest.raises(HashFormatError) as caught:
        HashIndex([("l", "removed", "0" * 64)])
    assert caught.value.message == "a hash list row is (list_name, kind, hash_hex, ref[, owner])"
    with pytest.raises(HashFormatError):
        HashIndex([("l", "removed", "xyz", "r")])


# ----- the operator's file format ---------------------------------------------------------------

GOOD = "ab" * 32


def test_a_hash_file_loads_with_comments_blank_lines_and_refs(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(f"# exported 2026-01-02\n\n{GOOD}\n{'CD' * 32}, ticket 77 \n  {'ef' * 32},x,y\n")
    assert load_hash_file(path, list_name="vendor", kind="prohibited") == [
        HashEntry("vendor", ListKind.PROHIBITED, GOOD, ""),
        HashEntry("vendor", ListKind.PROHIBITED, "cd" * 32, "ticket 77"),
        HashEntry("vendor", ListKind.PROHIBITED, "ef" * 32, "x,y"),
    ]
    leaked = load_hash_file(path, list_name="ada-leaks", kind=ListKind.LEAKED, owner="room-ada")
    assert {(e.kind, e.owner) for e in leaked} == {(ListKind.LEAKED, "room-ada")}


@pytest.mark.parametrize(
    ("lines", "line", "detail"),
    [
        ([GOOD, GOOD, "# fine", "abc,short"], 4, "expected 64 hexadecimal digits, got 'abc'"),
        (["", GOOD + "00,too long"], 2, f"expected 64 hexadecimal digits, got '{GOOD}00'"),
        ([GOOD, ",only a ref"], 2, "expected 64 hexadecimal digits, got ''"),
        (["z" * 64], 1, f"expected 64 hexadecimal digits, got '{'z' * 64}'"),
    ],
)
def test_a_malformed_line_names_its_line_number(tmp_path: Path, lines: list[str], line: int, detail: str) -> None:
    path = tmp_path / "list.txt"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(HashFileError) as caught:
        load_hash_file(path, list_name="vendor", kind="removed")
    assert caught.value.code == "moderation.hash_file_malformed"
    assert caught.value.message == f"{path}, line {line}: {detail}"
    assert caught.value.extra == {"path": str(path), "line": line}


def test_an_unreadable_file_or_unknown_kind_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    with pytest.raises(HashFileError) as caught:
        load_hash_file(missing, list_name="vendor", kind="removed")
    assert caught.value.message.startswith(f"{missing}: cannot read it: ")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(HashFileError):
        load_hash_file(binary, list_name="vendor", kind="removed")
    with pytest.raises(HashFileError) as caught:
        load_hash_file(binary, list_name="vendor", kind="banned")
    assert caught.value.message == "unknown list kind 'banned'"
