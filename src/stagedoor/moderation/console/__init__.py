"""Staff console sections of trust & safety (registered from apps.ready by importing this package):

- `queue` (moderators): the review queue, case pages, claim / release / decide, bulk decisions, the shift panel;
- `appeals` (moderators): open appeals, never one against your own decision;
- `hash-lists` (compliance, admin): perceptual-hash lists and their files;
- `moderators` (supervisors): load and exposure per moderator, reassign and rebalance;
- `transparency` (compliance, admin): the report with charts, CSV/JSON export of statements of reasons;
- `cases` (compliance, admin): every case and decision, read-only.
"""

from stagedoor.moderation.console import appeals, hashlists, queue, records, supervision, transparency

__all__ = ["appeals", "hashlists", "queue", "records", "supervision", "transparency"]
