"""Staff console sections of analytics (registered on import, from apps.ready): the finance dashboard
(`/staff/finance/`), surveys (`/staff/surveys/`) and chat sentiment (`/staff/sentiment/`)."""

from stagedoor.analytics.console import finance, sentiment, surveys

__all__ = ["finance", "sentiment", "surveys"]
