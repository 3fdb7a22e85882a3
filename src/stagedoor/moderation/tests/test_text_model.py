"""The text model: the shipped file, training, saving and loading (moderation.text.model)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from stagedoor.chat.pipeline.classifier import configured_classifier, set_classifier_factory
from stagedoor.core.config import ConfigError, load
from stagedoor.moderation.text import model as model_mod
from stagedoor.moderation.text.classifier import (
    DEFAULT_MODEL_PATH,
    ChatTextClassifier,
    TextModerator,
    install_chat_classifier,
)
from stagedoor.moderation.text.dataset import LABELS
from stagedoor.moderation.text.model import FORMAT_VERSION, ModelFileError, TextModel, load_model
from stagedoor.moderation.text.training import fit, train_examples


@pytest.fixture(scope="module")
def small_model() -> TextModel:
    """A model trained on a slice of the shipped training split (deterministic)."""
    examples = train_examples()[:900]
    assert {e.label for e in examples} == set(LABELS)
    return fit(examples, reference=[e.text for e in examples[:40]])


def test_shipped_model_loads_offline_and_is_small() -> None:
    m = load_model(DEFAULT_MODEL_PATH)
    assert m.labels == LABELS
    assert len(m.vocabulary) > 10_000
    assert len(m.lexicon) > 500
    assert DEFAULT_MODEL_PATH.stat().st_size < 5 * 2**20
    assert m.reference is not None and len(m.reference.texts) >= 60


def test_shipped_model_gives_the_logits_training_computed() -> None:
    """scikit-learn's decision_function at training time, stored in the file, against both fast paths."""
    m = load_model(DEFAULT_MODEL_PATH)
    assert m.reference is not None
    single = np.array([m.logits(t) for t in m.reference.texts])
    batch = m.logits_batch(list(m.reference.texts))
    np.testing.assert_allclose(single, m.reference.logits, atol=1e-5)
    np.testing.assert_allclose(batch, m.reference.logits, atol=1e-5)
    # and the probabilities of both paths agree
    np.testing.assert_allclose(
        np.array([m.proba(t) for t in m.reference.texts]), m.proba_batch(list(m.reference.texts))
    )


def test_save_and_load_round_trip(small_model: TextModel, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    small_model.save(path)
    loaded = load_model(path)
    assert loaded is not small_model
    assert loaded.labels == small_model.labels
    assert loaded.vocabulary == small_model.vocabulary
    assert loaded.lexicon == small_model.lexicon
    np.testing.assert_array_equal(loaded.weights, small_model.weights)
    np.testing.assert_array_equal(loaded.intercept, small_model.intercept)
    assert loaded.reference is not None and small_model.reference is not None
    assert loaded.reference.texts == small_model.reference.texts
    np.testing.assert_allclose(
        loaded.logits_batch(list(loaded.reference.texts)), small_model.reference.logits, atol=1e-5
    )


def test_training_is_deterministic(small_model: TextModel) -> None:
    again = fit(train_examples()[:900], reference=[e.text for e in train_examples()[:40]])
    assert again.vocabulary == small_model.vocabulary
    np.testing.assert_array_equal(again.weights, small_model.weights)
    np.testing.assert_array_equal(again.intercept, small_model.intercept)


def test_empty_and_unknown_lines_score_the_intercept(small_model: TextModel) -> None:
    assert small_model.logits("") == tuple(float(x) for x in small_model.intercept)
    np.testing.assert_allclose(small_model.logits_batch(["", "hello", ""])[0], small_model.intercept)
    np.testing.assert_allclose(small_model.logits_batch(["", "hello", ""])[2], small_model.intercept)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no such file"):
        load_model(tmp_path / "absent.npz")


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.npz"
    path.write_text("just some text\n")
    with pytest.raises(ModelFileError, match="not a text model file"):
        load_model(path)


def test_another_format_version_is_refused(small_model: TextModel, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    small_model.save(path)
    with np.load(path, allow_pickle=False) as z:
        fields = {k: z[k] for k in z.files}
    fields["format_version"] = np.array(FORMAT_VERSION + 1)
    other = tmp_path / "other.npz"
    with other.open("wb") as fh:
        np.savez(fh, **fields)
    with pytest.raises(ModelFileError, match=f"format {FORMAT_VERSION + 1}"):
        load_model(other)


def test_inconsistent_shapes_are_refused() -> None:
    with pytest.raises(ModelFileError, match="inconsistent shapes"):
        TextModel(
            labels=["a", "b"], vocabulary=["x"], weights=np.zeros((2, 2), dtype=np.float32), intercept=np.zeros(2)
        )


def test_the_model_is_read_once_per_process_under_concurrency(
    small_model: TextModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shared.npz"
    small_model.save(path)
    reads: list[Path] = []
    real_read = model_mod._read

    def counting_read(p: Path) -> TextModel:
        reads.append(p)
        return real_read(p)

    monkeypatch.setattr(model_mod, "_read", counting_read)
    barrier = threading.Barrier(8)
    got: list[TextModel] = []

    def worker() -> None:
        barrier.wait()
        got.append(load_model(path))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(got) == 8
    assert len({id(m) for m in got}) == 1
    assert reads == [path.resolve()]


def test_operator_model_path_is_what_live_chat_uses(small_model: TextModel, tmp_path: Path) -> None:
    path = tmp_path / "operator.npz"
    small_model.save(path)
    try:
        install_chat_classifier(model_path=str(path))
        clf = configured_classifier()
        assert isinstance(clf, ChatTextClassifier)
        assert clf.moderator.model.vocabulary == small_model.vocabulary
        assert clf.moderator.model is load_model(path)
    finally:
        install_chat_classifier()  # back to the shipped model, as apps.ready() left it
    clf = configured_classifier()
    assert isinstance(clf, ChatTextClassifier)
    assert clf.moderator.model is load_model(DEFAULT_MODEL_PATH)


def test_without_a_factory_chat_allows_everything() -> None:
    from stagedoor.chat.pipeline.classifier import AllowAll

    try:
        set_classifier_factory(None)
        assert isinstance(configured_classifier(), AllowAll)
    finally:
        install_chat_classifier()


def test_model_setting_must_name_a_file(tmp_path: Path) -> None:
    env = {"STAGEDOOR_VAR_DIR": str(tmp_path), "STAGEDOOR_MODERATION_TEXT_MODEL": str(tmp_path / "nope.npz")}
    with pytest.raises(ConfigError, match="STAGEDOOR_MODERATION_TEXT_MODEL: no such file"):
        load(env)
    ok = tmp_path / "m.npz"
    ok.write_bytes(b"x")
    assert load({**env, "STAGEDOOR_MODERATION_TEXT_MODEL": str(ok)}).moderation.text_model == str(ok)


def test_moderator_refuses_a_model_without_its_categories(small_model: TextModel) -> None:
    odd = TextModel(
        labels=["benign", "spam"],
        vocabulary=["ab"],
        weights=np.zeros((1, 2), dtype=np.float32),
        intercept=np.zeros(2),
    )
    with pytest.raises(ValueError, match="do not cover"):
        TextModerator(odd)
    assert TextModerator(small_model).model is small_model
