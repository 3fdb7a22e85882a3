"""Every write of fans: clubs and renewals, media and posts, private messages."""

from stagedoor.fans.services.clubs import (
    RenewalPass,
    club_configure,
    fan_only_chat_is_on,
    fan_only_chat_set,
    membership_cancel,
    membership_join,
    membership_staff_end,
    memberships_renew,
)
from stagedoor.fans.services.media import media_content, media_upload, upload_limit_bytes
from stagedoor.fans.services.messages import BODY_MAX_CHARS, Sent, message_send, message_unlock
from stagedoor.fans.services.moderation import case_open_for_held_message, held_message_decided
from stagedoor.fans.services.posts import post_create, post_remove

__all__ = [
    "BODY_MAX_CHARS",
    "RenewalPass",
    "Sent",
    "case_open_for_held_message",
    "club_configure",
    "fan_only_chat_is_on",
    "fan_only_chat_set",
    "held_message_decided",
    "media_content",
    "media_upload",
    "membership_cancel",
    "membership_join",
    "membership_staff_end",
    "memberships_renew",
    "message_send",
    "message_unlock",
    "post_create",
    "post_remove",
    "upload_limit_bytes",
]
