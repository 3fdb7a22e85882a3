"""Suggested macros and help articles by text similarity: TF-IDF over word and character n-grams (scikit-learn),
cosine similarity between a ticket's text and each candidate's. Pure: strings in, ranked indices out."""

from __future__ import annotations

MIN_SCORE = 0.08


def rank(query: str, documents: list[str], *, limit: int = 3) -> list[tuple[int, float]]:
    """Indices of `documents` most like `query`, best first, with their scores (at least MIN_SCORE)."""
    if not query.strip() or not documents:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer  # imported on first use: it is slow to load
    from sklearn.metrics.pairwise import linear_kernel

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([*documents, query])
    except ValueError:  # nothing but stop characters
        return []
    scores = linear_kernel(matrix[-1], matrix[:-1]).ravel()
    ranked = sorted(((i, float(s)) for i, s in enumerate(scores) if s >= MIN_SCORE), key=lambda p: -p[1])
    return ranked[:limit]
