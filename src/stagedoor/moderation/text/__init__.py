"""The chat text moderator, sans-Django (pure Python, numpy; scikit-learn only to train).

``normalize`` (forms of a line that undo filter evasion) -> ``rules`` (precise patterns, tables in
``patterns_people`` / ``patterns_contact``) and ``model`` (a linear model on n-grams, shipped in
``data/model.npz``) -> ``classifier`` (category and score, the chat ``Classifier`` adapter and its
registration) under ``policy`` (allow / hold / block per category, platform and rooms). ``dataset``
generates the labelled data from ``templates_*``, ``slots`` and ``obfuscate``; ``training`` builds
the files and measures a split. See docs/moderation.md, "Chat classification".
"""
