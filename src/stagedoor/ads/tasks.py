"""Jobs of ads: purging yesterday's frequency-cap counters (database backend; Redis keys expire by themselves).

`ads.caps_purge` is enqueued by the first ad served on a new UTC day in each process; running it twice is harmless.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stagedoor.ads.counters import DatabaseCapCounters
from stagedoor.core import jobs


@jobs.job("ads.caps_purge")
def caps_purge() -> int:
    """Delete cap counters of days before yesterday (yesterday's stay for viewers across midnight's clock skew)."""
    return DatabaseCapCounters().purge_before(timezone.now().date() - dt.timedelta(days=1))
