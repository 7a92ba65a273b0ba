"""Account administration and the role check, through real HTTP."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from server.clock import FrozenClock
from tests.conftest import StartServer
from tests.support.server import TestServer
from tests.support.staff import STAFF_PASSWORD, create_staff, login, login_browser, signed_in_staff

USERS = "/staff/v1/users"


def new_account(username: str, **fields: object) -> dict[str, object]:
    return {"username": username, "password": "a-fine-password", "roles": ["editor"], **fields}


@pytest.mark.asyncio
async def test_admin_creates_lists_reads_and_updates_accounts(server: TestServer) -> None:
    admin = await signed_in_staff(server, "root", roles=["admin"])
    created = await admin.post(USERS, json=new_account(
        "Officer.Wu", display_name="吴窗口", roles=["officer"], departments=["68236467-9", "083372204"]))
    assert created.status == 201
    account = created.json
    assert (account["username"], account["display_name"]) == ("officer.wu", "吴窗口")
    assert account["roles"] == ["officer"]
    assert account["departments"] == ["68236467-9", "083372204"]
    assert (account["disabled"], account["locked"]) == (False, False)

    listed = await admin.get(f"{USERS}?limit=10")
    assert listed.status == 200
    assert [user["username"] for user in listed.json["items"]] == ["officer.wu", "root"]
    assert listed.json["total"] == 2

    fetched = await admin.get(f"{USERS}/{account['id']}")
    assert fetched.json == account

    changed = await admin.patch(f"{USERS}/{account['id']}", json={
        "roles": ["officer", "supervisor"], "departments": ["083372204"], "display_name": "吴主任"})
    assert changed.status == 200
    assert changed.json["roles"] == ["officer", "supervisor"]
    assert changed.json["departments"] == ["083372204"]
    assert changed.json["display_name"] == "吴主任"

    assert (await login(server, "officer.wu", "a-fine-password")).status == 200


@pytest.mark.asyncio
async def test_role_and_department_rules_are_enforced(server: TestServer) -> None:
    admin = await signed_in_staff(server, "root", roles=["admin"])
    no_department = await admin.post(USERS, json=new_account("wu1", roles=["officer"]))
    assert (no_department.status, no_department.error_code) == (422, "departments_required")
    misplaced = await admin.post(USERS, json=new_account("wu2", departments=["083372204"]))
    assert misplaced.error_code == "departments_not_applicable"
    unknown = await admin.post(USERS, json=new_account("wu3", roles=["superuser"]))
    assert (unknown.status, unknown.error_code) == (422, "validation_failed")
    bad_name = await admin.post(USERS, json=new_account("吴"))
    assert bad_name.error_code == "invalid_username"
    assert (await admin.post(USERS, json=new_account("wu4"))).status == 201
    taken = await admin.post(USERS, json=new_account("WU4"))
    assert (taken.status, taken.error_code) == (409, "username_taken")


@pytest.mark.asyncio
async def test_password_policy_has_stable_codes(server: TestServer) -> None:
    admin = await signed_in_staff(server, "root", roles=["admin"])
    refusals = [("short-1", "password_too_short"), ("12345678901", "password_all_digits"),
                ("１２３４５６７８９０１", "password_all_digits"),  # full-width digits are digits too
                ("Zhang.Wei.1", "password_matches_username")]
    for password, code in refusals:
        response = await admin.post(USERS, json=new_account("zhang.wei.1", password=password))
        assert (response.status, response.error_code) == (422, code), password


@pytest.mark.asyncio
async def test_non_admins_cannot_manage_accounts(server: TestServer) -> None:
    editor = await signed_in_staff(server, "editor.li", roles=["editor", "reviewer", "supervisor"])
    response = await editor.get(USERS)
    assert (response.status, response.error_code) == (403, "role_required")
    assert response.json["error"]["roles"] == ["admin"]
    assert (await editor.post(USERS, json=new_account("someone"))).error_code == "role_required"


@pytest.mark.asyncio
async def test_admins_cannot_lock_themselves_out(server: TestServer) -> None:
    admin = await signed_in_staff(server, "root", roles=["admin"])
    me = (await admin.get("/staff/v1/auth/session")).json["user"]["id"]
    demote = await admin.patch(f"{USERS}/{me}", json={"roles": ["editor"]})
    assert (demote.status, demote.error_code) == (409, "cannot_change_own_admin_access")
    disable = await admin.patch(f"{USERS}/{me}", json={"disabled": True})
    assert disable.error_code == "cannot_change_own_admin_access"
    assert (await admin.patch(f"{USERS}/{me}", json={"roles": ["admin", "editor"]})).status == 200


@pytest.mark.asyncio
async def test_disabled_accounts_cannot_log_in_and_their_sessions_stop(server: TestServer) -> None:
    admin = await signed_in_staff(server, "root", roles=["admin"])
    officer = await signed_in_staff(server, "officer.qin", roles=["officer"], departments=["083372204"])
    officer_id = (await officer.get("/staff/v1/auth/session")).json["user"]["id"]

    disabled = await admin.patch(f"{USERS}/{officer_id}", json={"disabled": True})
    assert disabled.json["disabled"] is True
    assert (await officer.get("/staff/v1/auth/session")).error_code == "session_invalid"
    refused = await login(server, "officer.qin")
    assert (refused.status, refused.error_code) == (403, "account_disabled")
    assert (await login(server, "officer.qin", "wrong-password")).error_code == "login_failed"

    await admin.patch(f"{USERS}/{officer_id}", json={"disabled": False})
    assert (await login(server, "officer.qin")).status == 200


@pytest.mark.asyncio
async def test_admin_reset_password_ends_sessions_and_unlock_lifts_a_lock(start_server: StartServer) -> None:
    server = await start_server(clock=FrozenClock(), staff_login_max_failures=2)
    admin = await signed_in_staff(server, "root", roles=["admin"])
    user = await create_staff(server, "tang.yi")
    browser = await login_browser(server, "tang.yi")

    weak = await admin.post(f"{USERS}/{user.id}/password", json={"new_password": "1234567890"})
    assert weak.error_code == "password_all_digits"
    reset = await admin.post(f"{USERS}/{user.id}/password", json={"new_password": "reset-by-admin-1"})
    assert reset.status == 204
    assert (await browser.get("/staff/v1/auth/session")).error_code == "session_invalid"
    assert (await login(server, "tang.yi")).error_code == "login_failed"

    await login(server, "tang.yi", "wrong-password")
    assert (await admin.get(f"{USERS}/{user.id}")).json["locked"] is True
    assert (await login(server, "tang.yi", "reset-by-admin-1")).error_code == "account_locked"
    unlocked = await admin.post(f"{USERS}/{user.id}/unlock")
    assert (unlocked.json["locked"], unlocked.json["failed_logins"]) == (False, 0)
    assert (await login(server, "tang.yi", "reset-by-admin-1")).status == 200

    missing = await admin.post(f"{USERS}/000000000000000000000000/unlock")
    assert (missing.status, missing.error_code) == (404, "staff_user_not_found")


@pytest.mark.asyncio
async def test_users_change_their_own_password_with_the_current_one(server: TestServer) -> None:
    browser = await signed_in_staff(server, "deng.ke")
    elsewhere = await login_browser(server, "deng.ke")
    wrong = await browser.post("/staff/v1/auth/password",
                               json={"current_password": "not-my-password", "new_password": "brand-new-pass"})
    assert (wrong.status, wrong.error_code) == (403, "current_password_wrong")
    weak = await browser.post("/staff/v1/auth/password",
                              json={"current_password": STAFF_PASSWORD, "new_password": "deng.ke"})
    assert weak.error_code == "password_too_short"
    changed = await browser.post("/staff/v1/auth/password",
                                 json={"current_password": STAFF_PASSWORD, "new_password": "brand-new-pass"})
    assert changed.status == 204
    assert (await browser.get("/staff/v1/auth/session")).status == 200
    assert (await elsewhere.get("/staff/v1/auth/session")).error_code == "session_invalid"
    assert (await login(server, "deng.ke", "brand-new-pass")).status == 200
    assert (await login(server, "deng.ke")).error_code == "login_failed"


@pytest.mark.asyncio
async def test_comprehensive_window_accounts_carry_domains(server: TestServer) -> None:
    admin = await signed_in_staff(server, "root", roles=["admin"])
    created = await admin.post(USERS, json=new_account("window.li", roles=["window"],
                                                       domains=["business_registration"]))
    assert created.status == 201, created.body
    assert (created.json["roles"], created.json["domains"], created.json["departments"]) == (
        ["window"], ["business_registration"], [])
    assert (await admin.post(USERS, json=new_account("window.wu", roles=["window"]))).error_code == "domains_required"
    misplaced = await admin.post(USERS, json=new_account("editor.wu", domains=["livelihood"]))
    assert misplaced.error_code == "domains_not_applicable"

    changed = await admin.patch(f"{USERS}/{created.json['id']}", json={"domains": ["livelihood",
                                                                                   "investment_construction"]})
    assert changed.json["domains"] == ["livelihood", "investment_construction"]
    # Leaving the window role means leaving its domains too.
    assert (await admin.patch(f"{USERS}/{created.json['id']}", json={"roles": ["editor"]})).error_code == \
        "domains_not_applicable"
    left = await admin.patch(f"{USERS}/{created.json['id']}", json={"roles": ["editor"], "domains": []})
    assert (left.json["roles"], left.json["domains"]) == (["editor"], [])

    window = await signed_in_staff(server, "window.zhao", roles=["editor"])
    session = await window.get("/staff/v1/auth/session")
    assert session.json["user"]["domains"] == []


@pytest.mark.asyncio
async def test_parallel_wrong_current_passwords_stop_at_the_lockout_limit(start_server: StartServer) -> None:
    server = await start_server(staff_login_max_failures=3)
    browser = await signed_in_staff(server, "deng.ke")
    answers = await asyncio.gather(*(
        browser.post("/staff/v1/auth/password",
                     json={"current_password": f"guess-{n}", "new_password": "brand-new-pass"})
        for n in range(10)))
    codes = Counter(answer.error_code for answer in answers)
    assert codes == {"current_password_wrong": 3, "account_locked": 7}
    # Locked for sign-in too, the right password included.
    assert (await login(server, "deng.ke")).error_code == "account_locked"
