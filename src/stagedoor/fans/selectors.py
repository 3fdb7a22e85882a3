"""Reads of fan clubs, memberships, posts and messages. Other apps (shows, chat hooks, ads) call the first three."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.fans import errors
from stagedoor.fans.models import FanClub, FanPost, MediaItem, Membership, Message, Thread, Unlock


def good_standing_q(now: datetime | None = None) -> Q:
    """Memberships whose perks apply at `now`: paid up, or in grace after a failed renewal. An active membership the
    renewal job has not reached yet keeps its perks for the grace length past its period end (a late job is not the
    fan's fault); a cancelled one stops at its period end."""
    now = now or timezone.now()
    grace = timedelta(days=settings.STAGEDOOR.fans.grace_days)
    paid = Q(status=Membership.Status.ACTIVE, current_period_end__gt=now)
    late_job = Q(status=Membership.Status.ACTIVE, cancel_at_period_end=False, current_period_end__gt=now - grace)
    grace_q = Q(status=Membership.Status.GRACE, grace_until__gt=now)
    return (paid | late_job | grace_q) & Q(club__enabled=True)


def membership_in_good_standing(membership: Membership, now: datetime | None = None) -> bool:
    return Membership.objects.filter(good_standing_q(now), pk=membership.pk).exists()


def fan_discount_bp(*, user_id: Any, performer_id: Any) -> int:
    """The discount (basis points) `user_id` gets on `performer_id`'s show rates: 0 unless a fan in good standing."""
    if user_id is None or performer_id is None:
        return 0
    row = (
        Membership.objects.filter(good_standing_q(), user_id=user_id, club__performer_id=performer_id)
        .values_list("club__discount_bp", flat=True)
        .first()
    )
    return min(int(row or 0), 10_000)


def is_fan(*, user_id: Any, performer_id: Any) -> bool:
    """Whether `user_id` is a member of `performer_id`'s fan club in good standing (paid or in grace)."""
    if user_id is None or performer_id is None:
        return False
    return Membership.objects.filter(good_standing_q(), user_id=user_id, club__performer_id=performer_id).exists()


def ad_free(*, user_id: Any) -> bool:
    """Whether `user_id` browses without ads (a member of any fan club in good standing)."""
    if user_id is None:
        return False
    return Membership.objects.filter(good_standing_q(), user_id=user_id).exists()


# --- clubs and memberships ----------------------------------------------------------------------------------


def club_of(performer: Any) -> FanClub | None:
    return FanClub.objects.filter(performer=performer).first()


def club_for_performer_id(performer_id: Any) -> FanClub:
    club = FanClub.objects.select_related("performer").filter(performer_id=performer_id).first()
    if club is None:
        raise errors.ClubNotFound()
    return club


def membership_of(*, user: Any, club: FanClub) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(club=club, user=user).first()


def memberships_of(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("club", "club__performer").order_by("-joined_at")


def members_of(club: FanClub) -> QuerySet[Membership]:
    return Membership.objects.filter(good_standing_q(), club=club).select_related("user")


def is_staff_viewer(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and role_has(user.role, Perm.CHAT_MODERATE_ANY))


def can_see_club_content(user: Any, club: FanClub) -> bool:
    """Members in good standing, the performer and staff (moderators and up)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.pk == club.performer_id or is_staff_viewer(user):
        return True
    return is_fan(user_id=user.pk, performer_id=club.performer_id)


# --- posts --------------------------------------------------------------------------------------------------


def posts_of(club: FanClub) -> QuerySet[FanPost]:
    return FanPost.objects.filter(club=club, removed=False).select_related("media")


def access_post_list(user: Any, club: FanClub) -> QuerySet[FanPost]:
    if not can_see_club_content(user, club):
        raise errors.MembersOnly()
    return posts_of(club)


def access_media(user: Any, media_id: str) -> MediaItem:
    """A media file `user` may fetch: a post's (members, performer, staff) or a message's (its thread's two people —
    the fan only once unlocked when it is paid —, staff)."""
    media = MediaItem.objects.filter(pk=media_id).first()
    if media is None or user is None or not getattr(user, "is_authenticated", False):
        raise errors.MediaNotFound()
    if user.pk == media.owner_id or is_staff_viewer(user):
        return media
    for post in FanPost.objects.filter(media=media, removed=False).select_related("club"):
        if can_see_club_content(user, post.club):
            return media
    for message in Message.objects.filter(media=media, status=Message.Status.VISIBLE).select_related("thread"):
        if user.pk not in (message.thread.fan_id, message.thread.performer_id):
            continue
        if user.pk == message.sender_id or message.unlock_price == 0 or message_unlocked(message, user):
            return media
    raise errors.MediaNotFound()


# --- messages -----------------------------------------------------------------------------------------------


def threads_of(user: Any) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(Q(fan=user) | Q(performer=user))
        .select_related("fan", "performer")
        .order_by("-last_message_at", "-created_at")
    )


def access_thread(user: Any, thread_id: str) -> Thread:
    thread = Thread.objects.select_related("fan", "performer").filter(pk=thread_id).first()
    if thread is None or user.pk not in (thread.fan_id, thread.performer_id):
        raise errors.ThreadNotFound()
    return thread


def thread_messages(thread: Thread, viewer: Any) -> list[Message]:
    """The thread as `viewer` sees it: every visible message, and their own held ones, and those a moderator
    rejected or that could not be paid when approved (each marked)."""
    own_undelivered = (Message.Status.HELD, Message.Status.REJECTED, Message.Status.UNPAID)
    return list(
        Message.objects.filter(thread=thread)
        .filter(Q(status=Message.Status.VISIBLE) | Q(sender=viewer, status__in=own_undelivered))
        .select_related("media")
    )


def message_unlocked(message: Message, user: Any) -> bool:
    return Unlock.objects.filter(message=message, user=user).exists()


def unlocked_ids(user: Any, messages: list[Message]) -> set[str]:
    return set(Unlock.objects.filter(user=user, message__in=messages).values_list("message_id", flat=True))


def access_message(user: Any, message_id: str) -> Message:
    message = Message.objects.select_related("thread", "media").filter(pk=message_id).first()
    if message is None or user.pk not in (message.thread.fan_id, message.thread.performer_id):
        raise errors.MessageNotFound()
    if message.status != Message.Status.VISIBLE and message.sender_id != user.pk:
        raise errors.MessageNotFound()
    return message


# --- staff console ------------------------------------------------------------------------------------------


def clubs_for_staff(limit: int = 50) -> list[tuple[FanClub, int]]:
    """The latest-changed fan clubs with their members in good standing."""
    clubs = list(FanClub.objects.select_related("performer").order_by("-updated_at")[:limit])
    return [(club, members_of(club).count()) for club in clubs]


def clubs_open_count() -> int:
    return FanClub.objects.filter(enabled=True).count()


def members_for_staff(club: FanClub, limit: int = 200) -> QuerySet[Membership]:
    """Every membership of `club` (whatever its status), newest first."""
    return Membership.objects.filter(club=club).select_related("user", "club").order_by("-joined_at")[:limit]
