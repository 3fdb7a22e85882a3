"""The chat text model: a linear classifier over character n-grams of the canonical form.

Features are the n-grams (2 to 5 characters) of each word padded with spaces, like
scikit-learn's ``char_wb`` analyzer; a line's vector is ``count * idf / sqrt(n)``, ``n``
being the number of n-grams in the line. That scaling makes a line's logits the *sum over
its words* of each word's weighted n-grams, divided by ``sqrt(n)``: a word's contribution is
computed once and cached, so one line costs a dictionary look-up per word and a few
additions, and a batch costs one gather and one reduction (:meth:`TextModel.logits_batch`).

Training (``train``) uses scikit-learn's ``CountVectorizer`` with the same analyzer and a
multinomial ``LogisticRegression`` with a fixed seed; the trained weights are exported as a
plain ``.npz`` (vocabulary, idf-weighted coefficients, intercepts, labels; no pickle) that
loads offline in milliseconds. The file also carries the logits scikit-learn computed for a
few reference lines, so a loaded model can prove it matches what was trained.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["FORMAT_VERSION", "ModelFileError", "TextModel", "analyze", "build_lexicon", "load_model", "ngrams", "train"]

FORMAT_VERSION: Final = 1
NGRAM_MIN: Final = 2
NGRAM_MAX: Final = 5
_CACHE_MAX: Final = 100_000

type FloatArray = npt.NDArray[np.float64]


class ModelFileError(Exception):
    """The model file is missing, unreadable or not a model of this format."""


def ngrams(word: str) -> list[str]:
    """The character n-grams of one word, padded with spaces (scikit-learn's ``char_wb``)."""
    w = f" {word} "
    n_w = len(w)
    out: list[str] = []
    for n in range(NGRAM_MIN, NGRAM_MAX + 1):
        if n > n_w:
            if not out:
                out.append(w)  # a word shorter than the smallest n-gram counts once, whole
            break
        out.extend(w[i : i + n] for i in range(n_w - n + 1))
    return out


def word_features(word: str) -> list[str]:
    """A word's features: its character n-grams and the word itself (``"u word"``; the
    space in second place keeps it apart from every n-gram, whose spaces are at the ends)."""
    out = ngrams(word)
    out.append("u " + word)
    return out


def pair_feature(first: str, second: str) -> str:
    """Two neighbouring words (``"b first second"``)."""
    return f"b {first} {second}"


def analyze(canonical: str) -> list[str]:
    """Every feature of a canonical line: per word, then per pair of neighbouring words."""
    words = canonical.split()
    out: list[str] = []
    for word in words:
        out.extend(word_features(word))
    out.extend(pair_feature(a, b) for a, b in itertools.pairwise(words))
    return out


@dataclass(frozen=True)
class _Reference:
    texts: tuple[str, ...]
    logits: FloatArray  # scikit-learn's decision_function on ``texts`` at training time


class TextModel:
    """Loaded weights. ``labels[k]`` names column ``k`` of every logit vector."""

    def __init__(
        self,
        *,
        labels: Sequence[str],
        vocabulary: Sequence[str],
        weights: npt.NDArray[np.float32],  # (V, K): coefficient * idf
        intercept: FloatArray,  # (K,)
        reference: _Reference | None = None,
        lexicon: Iterable[str] = (),
    ) -> None:
        if weights.shape != (len(vocabulary), len(labels)) or intercept.shape != (len(labels),):
            raise ModelFileError(f"inconsistent shapes: weights {weights.shape}, intercept {intercept.shape}")
        self.labels = tuple(labels)
        self.vocabulary = {g: i for i, g in enumerate(vocabulary)}
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self._intercept = tuple(float(x) for x in self.intercept)
        self.reference = reference
        #: the words training saw often enough to heal split words into (see ``normalize.heal``)
        self.lexicon = frozenset(lexicon)
        self._zero = (0.0,) * len(self.labels)
        self._cache: dict[str, tuple[tuple[float, ...], int]] = {}
        self._lock = threading.Lock()
        #: the weights of every pair of words the model knows, ready to add
        self._pairs: dict[str, tuple[float, ...]] = {
            g: tuple(float(x) for x in self.weights[i]) for g, i in self.vocabulary.items() if g.startswith("b ")
        }

    # -- one word, one pair -------------------------------------------------------------
    def _word(self, word: str) -> tuple[tuple[float, ...], int]:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        grams = word_features(word)
        vocab = self.vocabulary
        ids = [i for i in (vocab.get(g) for g in grams) if i is not None]
        vec = tuple(float(x) for x in self.weights[ids].sum(axis=0)) if ids else self._zero
        return self._remember(word, (vec, len(grams)))

    def _pair(self, first: str, second: str) -> tuple[float, ...]:
        return self._pairs.get(pair_feature(first, second), self._zero)

    def _remember(self, key: str, hit: tuple[tuple[float, ...], int]) -> tuple[tuple[float, ...], int]:
        if len(self._cache) >= _CACHE_MAX:
            with self._lock:  # the cache is a bounded memo: dropping it only costs recomputation
                self._cache.clear()
        self._cache[key] = hit
        return hit

    # -- lines ---------------------------------------------------------------------------
    def logits(self, canonical: str) -> tuple[float, ...]:
        """The model's logits for one canonical line (one entry per label)."""
        words = canonical.split()
        if not words:
            return self._intercept
        cache = self._cache
        pairs = self._pairs
        zero = self._zero
        vecs: list[tuple[float, ...]] = []
        n = len(words) - 1  # every pair of neighbours is one feature, known or not
        prev = ""
        for word in words:
            hit = cache.get(word) or self._word(word)
            if hit[0] is not zero:
                vecs.append(hit[0])
            n += hit[1]
            if prev:
                pv = pairs.get(f"b {prev} {word}")
                if pv is not None:
                    vecs.append(pv)
            prev = word
        scale = n**-0.5
        if not vecs:
            return self._intercept
        return tuple(sum(col) * scale + b for col, b in zip(zip(*vecs, strict=True), self._intercept, strict=True))

    def proba(self, canonical: str) -> tuple[float, ...]:
        z = self.logits(canonical)
        top = max(z)
        e = [math.exp(v - top) for v in z]
        s = sum(e)
        return tuple(v / s for v in e)

    def logits_batch(self, canonicals: Sequence[str]) -> FloatArray:
        """Logits of many lines at once: one gather of word vectors, one reduction."""
        k = len(self.labels)
        if not canonicals:
            return np.zeros((0, k))
        word_ids: dict[str, int] = {}
        slots: list[int] = []
        starts = np.empty(len(canonicals), dtype=np.intp)
        for j, line in enumerate(canonicals):
            starts[j] = len(slots)
            words = line.split()
            for word in words:
                slots.append(word_ids.setdefault(word, len(word_ids)))
            for first, second in itertools.pairwise(words):
                slots.append(word_ids.setdefault(pair_feature(first, second), len(word_ids)))
        table = np.empty((len(word_ids) + 1, k + 1))
        for key, i in word_ids.items():
            if key.startswith("b ") and key.count(" ") == 2:
                _, first, second = key.split(" ")
                table[i, :k] = self._pair(first, second)
                table[i, k] = 1
            else:
                vec, grams = self._word(key)
                table[i, :k] = vec
                table[i, k] = grams
        table[-1] = 0.0  # a zero row closes the last line
        ends = np.append(starts[1:], len(slots))
        empty = starts == ends
        slots.append(len(word_ids))
        sums = np.add.reduceat(table[np.asarray(slots, dtype=np.intp)], starts, axis=0)
        sums[empty] = 0.0  # reduceat gives an empty range the element at its start: not this line's
        counts = sums[:, k]
        scale = np.where(counts > 0, 1.0 / np.sqrt(np.maximum(counts, 1.0)), 0.0)
        out: FloatArray = sums[:, :k] * scale[:, None] + self.intercept
        return out

    def proba_batch(self, canonicals: Sequence[str]) -> FloatArray:
        z = self.logits_batch(canonicals)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        out: FloatArray = z / z.sum(axis=1, keepdims=True)
        return out

    # -- files ---------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        ref = self.reference
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                format_version=np.array(FORMAT_VERSION),
                ngram_range=np.array([NGRAM_MIN, NGRAM_MAX]),
                labels=np.array(self.labels),
                vocabulary=np.array(vocab),
                weights=self.weights.astype(np.float32),
                intercept=self.intercept,
                reference_texts=np.array(ref.texts if ref else (), dtype=str),
                reference_logits=ref.logits if ref else np.zeros((0, len(self.labels))),
                lexicon=np.array(sorted(self.lexicon), dtype=str),
            )


_loaded: dict[Path, TextModel] = {}
_load_lock = threading.Lock()


def _read(path: Path) -> TextModel:
    try:
        with np.load(path, allow_pickle=False) as z:
            if int(z["format_version"]) != FORMAT_VERSION:
                raise ModelFileError(f"{path}: format {int(z['format_version'])}, expected {FORMAT_VERSION}")
            if tuple(int(x) for x in z["ngram_range"]) != (NGRAM_MIN, NGRAM_MAX):
                raise ModelFileError(
                    f"{path}: n-gram range {z['ngram_range'].tolist()}, expected {NGRAM_MIN}-{NGRAM_MAX}"
                )
            ref_texts = tuple(str(t) for t in z["reference_texts"].tolist())
            return TextModel(
                labels=[str(x) for x in z["labels"].tolist()],
                vocabulary=[str(x) for x in z["vocabulary"].tolist()],
                weights=z["weights"],
                intercept=z["intercept"],
                reference=_Reference(ref_texts, np.asarray(z["reference_logits"], dtype=np.float64))
                if ref_texts
                else None,
                lexicon=(str(w) for w in z["lexicon"].tolist()),
            )
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError) as exc:  # not an npz, truncated, a field missing
        raise ModelFileError(f"{path}: not a text model file ({exc})") from None


def load_model(path: Path) -> TextModel:
    """The model in ``path``, read once per process (thread-safe); later calls share it."""
    key = path.resolve()
    model = _loaded.get(key)
    if model is not None:
        return model
    with _load_lock:
        model = _loaded.get(key)
        if model is None:
            model = _loaded[key] = _read(key)
    return model


def build_lexicon(canonicals: Iterable[str], *, min_df: int = 3) -> frozenset[str]:
    """Words (letters only, two or more) found in at least ``min_df`` lines."""
    df: dict[str, int] = {}
    for line in canonicals:
        for w in set(line.split()):
            if len(w) >= 2 and w.isalpha() and w.isascii():
                df[w] = df.get(w, 0) + 1
    return frozenset(w for w, n in df.items() if n >= min_df)


def train(
    canonicals: Sequence[str],
    labels: Sequence[str],
    *,
    label_order: Iterable[str],
    lexicon: Iterable[str] = (),
    min_df: int = 2,
    c: float = 10.0,
    class_weight: dict[str, float] | None = None,
    seed: int = 7,
    reference: Sequence[str] = (),
) -> TextModel:
    """Fit the model on canonical lines (deterministic: fixed seed, lbfgs)."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    order = list(label_order)
    vectorizer = CountVectorizer(analyzer=analyze, min_df=min_df, dtype=np.float64)
    counts = vectorizer.fit_transform(canonicals)
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + n_docs) / (1 + df)) + 1.0  # scikit-learn's smooth idf

    def design(lines: Sequence[str]) -> object:
        x = vectorizer.transform(lines).multiply(idf[None, :]).tocsr()
        n = np.array([max(1, len(analyze(t))) for t in lines], dtype=np.float64)
        return x.multiply(1.0 / np.sqrt(n)[:, None]).tocsr()

    y = np.array([order.index(lab) for lab in labels])
    weights = {order.index(k): v for k, v in (class_weight or {}).items()}
    clf = LogisticRegression(C=c, max_iter=3000, random_state=seed, tol=1e-6, class_weight=weights or None)
    clf.fit(design(canonicals), y)
    coef = np.zeros((len(order), counts.shape[1]))
    intercept = np.zeros(len(order))
    coef[clf.classes_] = clf.coef_
    intercept[clf.classes_] = clf.intercept_
    vocab = vectorizer.get_feature_names_out().tolist()
    ref = None
    if reference:
        ref_logits = np.full((len(reference), len(order)), 0.0)
        ref_logits[:, clf.classes_] = clf.decision_function(design(list(reference)))
        ref = _Reference(tuple(reference), ref_logits)
    return TextModel(
        labels=order,
        vocabulary=vocab,
        weights=(coef * idf[None, :]).T.astype(np.float32),
        intercept=intercept,
        reference=ref,
        lexicon=lexicon,
    )
