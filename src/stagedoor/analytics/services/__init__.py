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

__all__ = [
    "BATCH",
    "CHAT_WINDOW",
    "GAP_GRACE_SECONDS",
    "chat_rollup_pass",
    "ledger_rollup",
    "ledger_rollup_pass",
]
