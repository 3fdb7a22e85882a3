"""Every write of analytics. Import from here (`from stagedoor.analytics import services`).

- `rollup`: the ledger and chat roll-up passes (daily tables).
- `surveys`: staff create, publish and close surveys; people answer them once.
- `sentiment`: the chat sentiment pass (per room and hour, never per message).
"""

from stagedoor.analytics.services.rollup import (
    BATCH,
    CHAT_WINDOW,
    GAP_GRACE_SECONDS,
    chat_rollup_pass,
    ledger_rollup,
    ledger_rollup_pass,
)
from stagedoor.analytics.services.sentiment import sentiment_model, sentiment_rollup, sentiment_rollup_pass
from stagedoor.analytics.services.surveys import (
    QuestionSpec,
    clean_text,
    survey_answer,
    survey_close,
    survey_create,
    survey_publish,
    survey_question_add,
    survey_question_remove,
)

__all__ = [
    "BATCH",
    "CHAT_WINDOW",
    "GAP_GRACE_SECONDS",
    "QuestionSpec",
    "chat_rollup_pass",
    "clean_text",
    "ledger_rollup",
    "ledger_rollup_pass",
    "sentiment_model",
    "sentiment_rollup",
    "sentiment_rollup_pass",
    "survey_answer",
    "survey_close",
    "survey_create",
    "survey_publish",
    "survey_question_add",
    "survey_question_remove",
]
