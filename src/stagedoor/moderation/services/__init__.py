"""Every write of trust & safety: keyword-only, atomic, audited where staff act, announced on the outbox.
Import from here (`from stagedoor.moderation import services`)."""

from stagedoor.moderation.services.appeals import appeal_decide, appeal_file
from stagedoor.moderation.services.cases import (
    case_claim,
    case_open,
    case_reassign,
    case_release,
    case_take_next,
    cases_release_all_of,
    evidence_clean,
)
from stagedoor.moderation.services.chat_blocks import case_open_for_blocked_message
from stagedoor.moderation.services.chat_holds import case_open_for_held_message
from stagedoor.moderation.services.decisions import (
    BulkOutcome,
    case_decide,
    cases_decide_bulk,
    decision_record_automated,
    policy_check,
)
from stagedoor.moderation.services.enforcement import end_stream_now, sanctions_expire
from stagedoor.moderation.services.frames import evidence_frame_store, frame_finding_record
from stagedoor.moderation.services.hashlists import LoadResult, hashlist_create, hashlist_entries_load, parse_hash_lines
from stagedoor.moderation.services.reports import report_file
from stagedoor.moderation.services.rooms import room_chat_policy_set, room_content_policy_set
from stagedoor.moderation.services.shifts import (
    exposure_reveal_record,
    exposure_view_record,
    shift_break_record,
    shift_current,
    shift_end,
)

__all__ = [
    "BulkOutcome",
    "LoadResult",
    "appeal_decide",
    "appeal_file",
    "case_claim",
    "case_decide",
    "case_open",
    "case_open_for_blocked_message",
    "case_open_for_held_message",
    "case_reassign",
    "case_release",
    "case_take_next",
    "cases_decide_bulk",
    "cases_release_all_of",
    "decision_record_automated",
    "end_stream_now",
    "evidence_clean",
    "evidence_frame_store",
    "exposure_reveal_record",
    "exposure_view_record",
    "frame_finding_record",
    "hashlist_create",
    "hashlist_entries_load",
    "parse_hash_lines",
    "policy_check",
    "report_file",
    "room_chat_policy_set",
    "room_content_policy_set",
    "sanctions_expire",
    "shift_break_record",
    "shift_current",
    "shift_end",
]
