"""Staff console sections of accounts: people (search, person page, unlock, role), audit log (applications:
verification/tests/test_console.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from stagedoor.accounts import services
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.crypto import keyring
from stagedoor.core.models import AuditEntry
from stagedoor.web.tests.console_helpers import PLACEHOLDER_ID, client_for, staff

pytestmark = pytest.mark.django_db


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- people ---------------------------------------------------------------------------------


def test_search_by_login_email_id_and_name(make_user: Any) -> None:
    _, client = staff(make_user, "support_l1")
    ada = make_user("viewer", login="ada_lane", display_name="Ada Lane")
    make_user("viewer", login="adam")
    make_user("viewer", login="zed")

    def found(q: str) -> list[str]:
        response = client.get("/staff/users/", {"q": q})
        assert response.status_code == 200
        return [u.login for u in response.context["results"]]

    assert found("ada_lane") == ["ada_lane"]  # the exact login first, then nobody else contains it
    assert found("ada") == ["ada_lane", "adam"]
    assert found("ADA_LANE@example.test") == ["ada_lane"]
    assert found(ada.pk) == ["ada_lane"]
    assert found("Lane") == ["ada_lane"]
    assert found("nobody-here") == []
    assert client.get("/staff/users/").context["results"] == []


def test_person_page_shows_the_account_and_the_panels_the_role_may_see(make_user: Any) -> None:
    from stagedoor.wallet.tests.conftest import fund_wallet

    viewer = make_user("viewer", login="pat")
    fund_wallet(viewer, 70)
    services.user_login_succeeded(user=viewer, ip="198.51.100.7", method="password")

    _, l1 = staff(make_user, "support_l1")
    page = l1.get(f"/staff/users/{viewer.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    # the support desk's panel (tickets, timeline link), purchases, push devices; no wallet without WALLET_READ_ANY
    assert [p["panel"].key for p in page.context["panels"]] == ["support", "purchases", "notifications"]
    assert 'data-testid="panel-wallet"' not in html
    assert "198.51.100.7" in html and "auth.login" in html  # the sign-in, in the audit trail
    assert 'data-testid="unlock"' not in html and 'data-testid="role-select"' not in html

    _, l2 = staff(make_user, "support_l2")
    page = l2.get(f"/staff/users/{viewer.pk}/")
    assert [p["panel"].key for p in page.context["panels"]] == ["wallet", "support", "purchases", "notifications"]
    assert '<strong data-testid="person-balance">70</strong>' in page.content.decode()

    performer = make_user("performer", login="star")
    from stagedoor.rooms.services import room_for_performer

    room_for_performer(performer=performer)
    page = l1.get(f"/staff/users/{performer.pk}/")
    assert [p["panel"].key for p in page.context["panels"]] == [
        "support",
        "purchases",
        "room",
        "verification",
        "notifications",
    ]
    assert "Offline" in page.content.decode()


def test_unlock(make_user: Any) -> None:
    locked = make_user("viewer", login="locked_out")
    User.objects.filter(pk=locked.pk).update(locked_until=timezone.now() + timedelta(minutes=15), failed_logins=3)

    _, l1 = staff(make_user, "support_l1")  # may look, may not unlock
    page = l1.get(f"/staff/users/{locked.pk}/")
    assert "Locked until" in page.content.decode()
    assert l1.post(f"/staff/users/{locked.pk}/unlock").status_code == 403
    locked.refresh_from_db()
    assert locked.locked_until is not None and locked.failed_logins == 3
    assert _audit("account.unlocked") == []

    agent, l2 = staff(make_user, "support_l2")
    response = l2.post(f"/staff/users/{locked.pk}/unlock", follow=True)
    assert response.redirect_chain == [(f"/staff/users/{locked.pk}/", 302)]
    assert _messages(response) == ["locked_out is unlocked: they can sign in again now."]
    locked.refresh_from_db()
    assert locked.locked_until is None and locked.failed_logins == 0
    [entry] = _audit("account.unlocked")
    assert (entry.actor_id, entry.target_id, entry.ip) == (agent.pk, locked.pk, "127.0.0.1")
    assert l2.post(f"/staff/users/{PLACEHOLDER_ID}/unlock").status_code == 404  # an id that is no user
    assert len(_audit("account.unlocked")) == 1


def test_role_change_is_for_admins_only(make_user: Any) -> None:
    person = make_user("viewer", login="future_mod")
    _, compliance = staff(make_user, "compliance")
    assert compliance.post(f"/staff/users/{person.pk}/role", {"role": "moderator"}).status_code == 403
    person.refresh_from_db()
    assert person.role == Role.VIEWER

    admin, client = staff(make_user, "admin")
    response = client.post(f"/staff/users/{person.pk}/role", {"role": "moderator"}, follow=True)
    assert _messages(response) == ["future_mod is now Moderator."]
    person.refresh_from_db()
    assert person.role == Role.MODERATOR
    [entry] = _audit("account.role_changed")
    assert (entry.actor_id, entry.target_id, entry.data) == (admin.pk, person.pk, {"from": "viewer", "to": "moderator"})

    response = client.post(f"/staff/users/{person.pk}/role", {"role": "emperor"}, follow=True)
    assert _messages(response) == ["Choose one of the roles."]
    response = client.post(f"/staff/users/{admin.pk}/role", {"role": "viewer"}, follow=True)
    assert _messages(response) == ["You cannot change your own role."]
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    assert len(_audit("account.role_changed")) == 1
    assert 'data-testid="role-select"' not in client.get(f"/staff/users/{admin.pk}/").content.decode()


# --- audit log -------------------------------------------------------------------------------


def test_audit_log_filters_pages_and_verifies(make_user: Any) -> None:
    admin = make_user("admin", login="root_admin")
    viewer = make_user("viewer", login="someone")
    for _ in range(3):
        services.user_login_succeeded(user=viewer, ip="203.0.113.9", method="password")
    services.user_unlock(actor=admin, user_id=viewer.pk)
    client = client_for(admin)

    page = client.get("/staff/audit/")
    entries = page.context["entries"]
    assert [e.seq for e in entries] == sorted((e.seq for e in entries), reverse=True)  # newest first
    assert entries[0].action == "account.unlocked"
    assert [e.action for e in client.get("/staff/audit/?action=auth.").context["entries"]] == ["auth.login"] * 3
    assert [e.action for e in client.get("/staff/audit/?actor=root_admin").context["entries"]] == ["account.unlocked"]
    assert len(client.get(f"/staff/audit/?actor={viewer.pk}").context["entries"]) == 3
    last = entries[1].seq
    assert [e.seq for e in client.get(f"/staff/audit/?before={last}").context["entries"]] == list(
        range(last - 1, 0, -1)
    )
    assert page.context["report"] is None

    report = client.get("/staff/audit/?verify=1").context["report"]
    assert report.ok and report.checked == AuditEntry.objects.count()
    with connection.cursor() as cursor:
        # the address is encrypted at rest: a forger with the key writes another address, validly encrypted
        forged_ip = keyring().encrypt("192.0.2.66", context="core.auditentry.ip")
        cursor.execute("UPDATE core_auditentry SET ip = %s WHERE seq = 2", [forged_ip])
    response = client.get("/staff/audit/?verify=1")
    report = response.context["report"]
    assert not report.ok
    assert [str(p) for p in report.problems] == ["audit row 2: contents do not match its hash (row edited)"]
    assert "audit row 2: contents do not match its hash (row edited)" in response.content.decode()
