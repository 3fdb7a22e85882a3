"""Every read of analytics. Import from here (`from stagedoor.analytics import selectors`).

- `dashboards`: what ledger entries add to the roll-ups, the performer's and the finance dashboards.
- `surveys`: open surveys for a person, a survey to answer, results.
- `sentiment`: chat sentiment trends (per room and hour, never per message).
"""

from stagedoor.analytics.selectors.dashboards import (
    CHAT_CURSOR,
    ITEM_PRODUCTS,
    KIND_PRODUCTS,
    LEDGER_CURSOR,
    RANGES,
    SHOW_MINUTE_ITEMS,
    TAIL_LIMIT,
    FinanceDashboard,
    Folded,
    PerformerDashboard,
    ProviderRate,
    Series,
    Sums,
    Supporter,
    Tail,
    clamp_days,
    day_range,
    entry_rows,
    finance_dashboard,
    fold_entries,
    ledger_cursor,
    ledger_tail,
    performer_dashboard,
    product_of,
    rollup_status,
    utc_day,
)

__all__ = [
    "CHAT_CURSOR",
    "ITEM_PRODUCTS",
    "KIND_PRODUCTS",
    "LEDGER_CURSOR",
    "RANGES",
    "SHOW_MINUTE_ITEMS",
    "TAIL_LIMIT",
    "FinanceDashboard",
    "Folded",
    "PerformerDashboard",
    "ProviderRate",
    "Series",
    "Sums",
    "Supporter",
    "Tail",
    "clamp_days",
    "day_range",
    "entry_rows",
    "finance_dashboard",
    "fold_entries",
    "ledger_cursor",
    "ledger_tail",
    "performer_dashboard",
    "product_of",
    "rollup_status",
    "utc_day",
]
