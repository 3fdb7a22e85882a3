"""The nudity detector (``frames/detector.py``): NudeNet's shipped model, run the way NudeNet runs
it (checked against NudeNet's own functions), on synthetic pictures. Real frames from a real
ingest: ``test_frames_ingest.py``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from nudenet import nudenet as reference

from stagedoor.moderation.frames.analysis import FrameAnalyzer
from stagedoor.moderation.frames.detector import (
    NUDENET_LABELS,
    Detection,
    DetectorModelError,
    Letterbox,
    NudityDetector,
    decode,
    preprocess,
    shipped_model_path,
)
from stagedoor.moderation.frames.image import decode_jpeg
from stagedoor.moderation.frames.pdq import HashIndex
from stagedoor.moderation.frames.policy import PlatformPolicy, PublicStream, RoomPolicy

from .test_frames_media import Image, drawn, pattern, to_jpeg


@pytest.fixture(scope="module")
def detector() -> NudityDetector:
    return NudityDetector()


def test_the_model_is_the_one_inside_the_nudenet_wheel(detector: NudityDetector) -> None:
    path = shipped_model_path()
    assert path == Path(reference.__file__).parent / "320n.onnx" and path.stat().st_size > 1_000_000
    assert detector.model_path == path and detector.input_size == 320
    assert detector.labels == tuple(reference.__labels)


@pytest.mark.parametrize(
    "image",
    [pattern("testsrc2"), drawn(41, 480, 854), pattern("smptehdbars", "640x640")],
    ids=["landscape", "portrait", "square"],
)
def test_the_input_is_nudenets_letterbox_but_in_rgb(image: Image) -> None:
    blob, box = preprocess(image, 320)
    theirs, _x_ratio, _y_ratio, x_pad, y_pad, width, height = reference._read_image(image.copy(), 320)
    assert blob.shape == (1, 3, 320, 320) and blob.dtype == np.float32
    # NudeNet 3.4.2 hands the network BGR (its issue #203); the network was trained on RGB
    assert np.array_equal(blob, theirs[:, ::-1])
    assert box == Letterbox(width, height, x_pad, y_pad)


@pytest.mark.parametrize("box", [Letterbox(1280, 720, 0, 560), Letterbox(480, 854, 374, 0), Letterbox(640, 640, 0, 0)])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_decoding_the_output_gives_exactly_nudenets_detections(box: Letterbox, seed: int) -> None:
    rng = np.random.default_rng(seed)
    raw = rng.random((1, 22, 2100), dtype=np.float32)
    raw[0, :4] *= 320  # centre x, y, width, height in model pixels
    raw[0, 4:] **= 6  # mostly low class scores, some high: plenty of overlapping candidates for NMS
    ours = decode(raw, box, 320)
    theirs = reference._postprocess(
        [raw], box.x_pad, box.y_pad, 1, 1, box.width, box.height, 320, 320
    )  # (its x/y ratios are unused)
    assert len(theirs) > 20
    assert ours == [Detection(d["class"], d["score"], tuple(d["box"])) for d in theirs]


def test_detections_on_a_real_run_are_well_formed(detector: NudityDetector) -> None:
    image = decode_jpeg(to_jpeg(pattern("mandelbrot"))).image
    sensitive = NudityDetector(min_score=0.001)  # see the model's weak guesses too
    found = sensitive.detect(image)
    assert len(found) >= 3
    height, width = image.shape[:2]
    for d in found:
        assert d.label in NUDENET_LABELS and 0.001 <= d.score <= 1
        x, y, w, h = d.box
        assert x >= 0 and y >= 0 and w >= 0 and h >= 0 and x + w <= width and y + h <= height
    assert [d.score for d in found] == sorted((d.score for d in found), reverse=True)
    assert detector.detect(image) == [d for d in found if d.score >= 0.25]


@pytest.mark.parametrize(
    "image",
    [pattern("testsrc2"), pattern("smptehdbars"), pattern("mandelbrot"), drawn(42), drawn(43, 854, 480)],
    ids=["testsrc2", "smptehdbars", "mandelbrot", "drawn", "drawn-480p"],
)
def test_test_patterns_and_shapes_raise_no_flag_anywhere(detector: NudityDetector, image: Image) -> None:
    analyzer = FrameAnalyzer(detector, HashIndex(), platform=PlatformPolicy(public_stream=PublicStream.NON_NUDE))
    result = analyzer.analyse(to_jpeg(image), RoomPolicy(non_nude=True, restricted_regions=("DE",)))
    assert [d for d in result.detections if d.label.endswith("_EXPOSED")] == []
    assert result.flags == () and result.matches == ()
    assert (result.width, result.height) == (image.shape[1], image.shape[0])
    assert set(result.timings) == {"decode", "pdq", "match", "detector", "policy"}


def test_boxes_found_on_a_reduced_decode_are_given_in_the_samples_pixels() -> None:
    d = Detection("FACE_FEMALE", 0.9, (100, 50, 300, 200))
    assert d.scaled(2, 1280, 720) == Detection("FACE_FEMALE", 0.9, (200, 100, 600, 400))
    assert Detection("FEET_COVERED", 0.5, (600, 300, 40, 60)).scaled(2.0, 1201, 641) == Detection(
        "FEET_COVERED", 0.5, (1200, 600, 1, 41)
    )


def test_a_missing_or_broken_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DetectorModelError) as caught:
        NudityDetector(tmp_path / "nope.onnx")
    assert str(caught.value).startswith(f"cannot load the nudity model {tmp_path / 'nope.onnx'}: ")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model at all")
    with pytest.raises(DetectorModelError, match="cannot load the nudity model"):
        NudityDetector(broken)
    with pytest.raises(DetectorModelError) as caught:
        NudityDetector(labels=NUDENET_LABELS[:10])
    assert str(caught.value) == f"{shipped_model_path()}: outputs 18 classes, expected 10"
