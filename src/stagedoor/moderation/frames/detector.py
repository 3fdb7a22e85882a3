"""Body-part detection with NudeNet's ONNX model, run by onnxruntime directly.

The model ships inside the ``nudenet`` wheel (``nudenet/320n.onnx``, a YOLOv8n detector with
18 classes); operators may point ``STAGEDOOR_MODERATION_NUDITY_MODEL`` at another ONNX file with
the same outputs (e.g. NudeNet's 640m). Nothing is downloaded.

Pre- and post-processing follow NudeNet's own ``nudenet.py``: pad the frame to a square at the
bottom/right, resize to the model's input, scale to [0, 1]; decode the ``(4 + classes) × anchors``
output (centre boxes, best class per anchor, score ≥ 0.2), scale boxes back through the padding,
clip, and non-maximum suppression (score 0.25, IoU 0.45). One deliberate difference: NudeNet
3.4.2 feeds the model BGR (``COLOR_RGBA2BGR`` on a BGR frame, then ``swapRB``; NudeNet issue #203),
while the network was trained on RGB; this module feeds RGB. The anchor decode is vectorised
(NudeNet loops over 2,100 anchors in Python).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

#: NudeNet's class order (the model's output rows 4…21)
NUDENET_LABELS: tuple[str, ...] = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)

CANDIDATE_SCORE = 0.2  # an anchor counts if its best class reaches this (NudeNet)
NMS_SCORE = 0.25
NMS_IOU = 0.45

type BGRImage = npt.NDArray[np.uint8]
type Box = tuple[int, int, int, int]


class DetectorModelError(Exception):
    """The model file is missing, unreadable, or its input/output shape is not NudeNet's."""


@dataclass(frozen=True, slots=True)
class Detection:
    label: str
    score: float  # in [0, 1]
    box: Box  # x, y, width, height in the frame's pixels

    def scaled(self, factor: float, width: int, height: int) -> Detection:
        """The same detection in a frame ``factor`` times larger (decoded at a reduced size), clipped."""
        x, y, w, h = (round(v * factor) for v in self.box)
        x, y = min(max(x, 0), width), min(max(y, 0), height)
        return Detection(self.label, self.score, (x, y, min(w, width - x), min(h, height - y)))


def shipped_model_path() -> Path:
    """``320n.onnx`` inside the installed nudenet package (found without importing it)."""
    spec = importlib.util.find_spec("nudenet")
    if spec is None or not spec.submodule_search_locations:
        raise DetectorModelError("the nudenet package is not installed (it carries the nudity model)")
    path = Path(next(iter(spec.submodule_search_locations))) / "320n.onnx"
    if not path.is_file():
        raise DetectorModelError(f"the nudenet package has no model at {path}")
    return path


@dataclass(frozen=True, slots=True)
class Letterbox:
    """How a frame was fitted into the model input (NudeNet pads at the bottom/right)."""

    width: int  # the frame's size
    height: int
    x_pad: int
    y_pad: int


def preprocess(image: BGRImage, size: int) -> tuple[npt.NDArray[np.float32], Letterbox]:
    """A BGR frame → the model's ``1×3×size×size`` RGB float input, and the letterbox."""
    height, width = image.shape[:2]
    side = max(width, height)
    x_pad, y_pad = side - width, side - height
    padded = cv2.copyMakeBorder(image, 0, y_pad, 0, x_pad, cv2.BORDER_CONSTANT) if x_pad or y_pad else image
    blob = cv2.dnn.blobFromImage(padded, 1 / 255.0, (size, size), (0, 0, 0), swapRB=True, crop=False)
    return np.asarray(blob, dtype=np.float32), Letterbox(width, height, x_pad, y_pad)


def decode(
    output: npt.NDArray[np.float32],
    box: Letterbox,
    size: int,
    labels: Sequence[str] = NUDENET_LABELS,
    *,
    candidate_score: float = CANDIDATE_SCORE,
    nms_score: float = NMS_SCORE,
) -> list[Detection]:
    """One image's raw output (``(4 + classes) × anchors``) → detections after NMS, best first.
    The score floors default to NudeNet's; tests lower them to see the model's weak guesses too."""
    rows = np.ascontiguousarray(np.squeeze(output).T)  # anchors × (4 + classes)
    classes = rows[:, 4:]
    class_ids = classes.argmax(axis=1)
    scores = classes[np.arange(len(rows)), class_ids]
    keep = scores >= candidate_score
    if not keep.any():
        return []
    rows, class_ids, scores = rows[keep], class_ids[keep], scores[keep]
    cx, cy, cw, ch = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    # the same float32 arithmetic, in the same order, as NudeNet's _postprocess
    x: npt.NDArray[Any] = (cx - cw / 2) * (box.width + box.x_pad) / size
    y: npt.NDArray[Any] = (cy - ch / 2) * (box.height + box.y_pad) / size
    w: npt.NDArray[Any] = cw * (box.width + box.x_pad) / size
    h: npt.NDArray[Any] = ch * (box.height + box.y_pad) / size
    x = np.minimum(np.maximum(x, 0), box.width)
    y = np.minimum(np.maximum(y, 0), box.height)
    w = np.minimum(w, box.width - x)
    h = np.minimum(h, box.height - y)
    boxes = np.stack([x, y, w, h], axis=1)
    picked = cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), nms_score, NMS_IOU)
    found = [
        Detection(
            labels[int(class_ids[i])],
            float(scores[i]),
            (int(boxes[i, 0]), int(boxes[i, 1]), int(boxes[i, 2]), int(boxes[i, 3])),
        )
        for i in np.asarray(picked, dtype=np.int64).reshape(-1)
    ]
    return found


class NudityDetector:
    """Thread-safe (onnxruntime sessions may be run from several threads); one intra-op thread each,
    so scanning scales by scan threads, not by one call spreading over every core."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        labels: Sequence[str] = NUDENET_LABELS,
        min_score: float = NMS_SCORE,
    ) -> None:
        import onnxruntime as ort

        path = Path(model_path) if model_path else shipped_model_path()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for missing or bad files
            raise DetectorModelError(f"cannot load the nudity model {path}: {exc}") from None
        self.model_path = path
        self.labels = tuple(labels)
        self.min_score = min_score
        inputs, outputs = self._session.get_inputs(), self._session.get_outputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            raise DetectorModelError(f"{path}: expected one NCHW image input")
        self._input = inputs[0].name
        side = inputs[0].shape[2]
        self.input_size = side if isinstance(side, int) and side > 0 else 320  # 320n: dynamic, trained at 320
        rows = outputs[0].shape[1] if len(outputs[0].shape) == 3 else None
        if isinstance(rows, int) and rows != 4 + len(self.labels):
            raise DetectorModelError(f"{path}: outputs {rows - 4} classes, expected {len(self.labels)}")

    def detect(self, image: BGRImage) -> list[Detection]:
        blob, box = preprocess(image, self.input_size)
        raw: list[Any] = self._session.run(None, {self._input: blob})
        floor = min(self.min_score, CANDIDATE_SCORE)
        return decode(raw[0], box, self.input_size, self.labels, candidate_score=floor, nms_score=self.min_score)
