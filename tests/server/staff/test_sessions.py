"""Console login, lockout, sessions and CSRF, through real HTTP."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from server.clock import FrozenClock
from server.staff import repository as repo
from server.staff.sessions import COOKIE_NAME, session_id_of
from tests.conftest import StartServer
from tests.support.server import TestServer
from tests.support.staff import (
    STAFF_PASSWORD,
    StaffBrowser,
    create_staff,
    login,
    login_browser,
    set_cookies,
    signed_in_staff,
)

SESSION = "/staff/v1/auth/session"


@pytest.mark.asyncio
async def test_login_sets_a_strict_httponly_cookie_and_the_session_describes_the_user(
        server: TestServer) -> None:
    await create_staff(server, "wang.fang", roles=["officer", "reviewer"], departments=["68236467-9"])
    response = await login(server, "  Wang.Fang ")
    assert response.status == 200
    cookie = set_cookies(response)[COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert not cookie["secure"]  # plain http base URL in tests
    assert len(cookie.value) >= 40
    stored = await server.deps.db[repo.SESSIONS].find_one({})
    assert stored["_id"] == session_id_of(cookie.value)
    assert cookie.value not in str(stored)

    browser = StaffBrowser(server, cookie.value, response.json["csrf_token"])
    session = await browser.get(SESSION)
    assert session.status == 200
    body = session.json
    assert body["user"]["username"] == "wang.fang"
    assert body["user"]["roles"] == ["reviewer", "officer"]
    assert body["user"]["departments"] == ["68236467-9"]
    assert body["csrf_token"] == response.json["csrf_token"]
    assert body["idle_timeout_seconds"] == server.settings.staff_session_idle_seconds
    assert "password_hash" not in str(body)


@pytest.mark.asyncio
async def test_cookie_is_secure_when_the_public_url_is_https(start_server: StartServer) -> None:
    server = await start_server(public_base_url="https://gov.example.cn")
    await create_staff(server, "li.na")
    assert set_cookies(await login(server, "li.na"))[COOKIE_NAME]["secure"] is True


@pytest.mark.asyncio
async def test_unknown_user_and_wrong_password_get_the_same_answer(server: TestServer) -> None:
    await create_staff(server, "zhao.lei")
    wrong = await login(server, "zhao.lei", "not-the-password")
    unknown = await login(server, "nobody.here", "not-the-password")
    assert wrong.status == unknown.status == 401
    assert wrong.error_code == unknown.error_code == "login_failed"
    assert wrong.json == unknown.json
    assert COOKIE_NAME not in set_cookies(wrong)
    assert (await login(server, "zhao.lei")).status == 200


@pytest.mark.asyncio
async def test_session_requires_a_cookie_that_names_a_session(server: TestServer) -> None:
    missing = await server.get(SESSION)
    assert (missing.status, missing.error_code) == (401, "session_missing")
    invalid = await StaffBrowser(server, "made-up-value", "x").get(SESSION)
    assert (invalid.status, invalid.error_code) == (401, "session_invalid")


@pytest.mark.asyncio
async def test_lockout_refuses_even_the_right_password_until_it_passes(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, staff_login_max_failures=3, staff_lockout_seconds=600)
    await create_staff(server, "chen.jie")
    for _ in range(3):
        assert (await login(server, "chen.jie", "wrong-password")).error_code == "login_failed"

    locked = await login(server, "chen.jie")
    assert (locked.status, locked.error_code) == (429, "account_locked")
    assert locked.headers["Retry-After"] == "600"
    assert locked.json["error"]["retry_after"] == 600

    clock.advance(seconds=599)
    still = await login(server, "chen.jie")
    assert (still.status, still.headers["Retry-After"]) == (429, "1")

    clock.advance(seconds=1)
    assert (await login(server, "chen.jie")).status == 200
    user = await repo.find_user_by_username(server.deps.db, "chen.jie")
    assert user is not None
    assert (user.failed_logins, user.locked_until) == (0, None)


@pytest.mark.asyncio
async def test_after_a_lock_runs_out_the_failure_count_starts_again(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, staff_login_max_failures=2, staff_lockout_seconds=60)
    await create_staff(server, "sun.li")
    for _ in range(2):
        await login(server, "sun.li", "wrong-password")
    clock.advance(seconds=61)
    assert (await login(server, "sun.li", "wrong-password")).error_code == "login_failed"
    assert (await login(server, "sun.li")).status == 200  # one failure after the lock is not a new lock


@pytest.mark.asyncio
async def test_concurrent_wrong_passwords_are_all_counted(start_server: StartServer) -> None:
    server = await start_server(clock=FrozenClock(), staff_login_max_failures=4)
    await create_staff(server, "zhou.min")
    attempts = await asyncio.gather(*(login(server, "zhou.min", f"wrong-{i}-password") for i in range(7)))

    codes = [response.error_code for response in attempts]
    assert set(codes) <= {"login_failed", "account_locked"}
    user = await repo.find_user_by_username(server.deps.db, "zhou.min")
    assert user is not None
    # Every attempt whose password was checked is counted, however the requests interleaved.
    assert user.failed_logins == codes.count("login_failed") >= 4
    assert user.locked_until is not None
    assert (await login(server, "zhou.min")).error_code == "account_locked"


@pytest.mark.asyncio
async def test_unsafe_methods_need_the_sessions_csrf_token(server: TestServer) -> None:
    browser = await signed_in_staff(server, "he.yu")
    body = {"current_password": STAFF_PASSWORD, "new_password": "a-new-password-1"}
    missing = await server.post("/staff/v1/auth/password", json=body,
                                headers={"Cookie": f"{COOKIE_NAME}={browser.cookie}"})
    assert (missing.status, missing.error_code) == (403, "csrf_failed")
    last = browser.csrf_token[-1]
    tampered = browser.csrf_token[:-1] + ("A" if last != "A" else "B")
    wrong = await browser.post("/staff/v1/auth/password", json=body, csrf=tampered)
    assert (wrong.status, wrong.error_code) == (403, "csrf_failed")
    other_session = await login_browser(server, "he.yu")
    foreign = await browser.post("/staff/v1/auth/password", json=body, csrf=other_session.csrf_token)
    assert foreign.error_code == "csrf_failed"
    assert (await browser.get(SESSION)).status == 200  # safe methods need no token
    assert (await browser.post("/staff/v1/auth/password", json=body)).status == 204


@pytest.mark.asyncio
async def test_idle_sessions_expire_and_activity_slides_the_deadline(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, staff_session_idle_seconds=600, staff_session_max_seconds=7200)
    browser = await signed_in_staff(server, "lin.tao")
    session_id = session_id_of(browser.cookie)

    clock.advance(seconds=30)
    assert (await browser.get(SESSION)).status == 200
    stored = await repo.find_session(server.deps.db, session_id)
    assert stored is not None
    assert stored.last_seen_at == stored.created_at  # within a minute: no write

    clock.advance(seconds=570)  # the request at 30 s was not recorded, so idle time counts from login
    expired_early = await browser.get(SESSION)
    assert (expired_early.status, expired_early.error_code) == (401, "session_expired")

    second = await login_browser(server, "lin.tao")
    clock.advance(seconds=500)
    touched = await second.get(SESSION)
    assert touched.status == 200
    assert touched.json["expires_at"] == (clock.now() + timedelta(seconds=600)).isoformat()
    clock.advance(seconds=500)  # 1000 s after login, 500 s after activity
    assert (await second.get(SESSION)).status == 200
    clock.advance(seconds=600)
    assert (await second.get(SESSION)).error_code == "session_expired"


@pytest.mark.asyncio
async def test_sessions_end_at_the_absolute_limit_despite_activity(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, staff_session_idle_seconds=600, staff_session_max_seconds=1800)
    browser = await signed_in_staff(server, "ma.jun")
    for _ in range(3):
        clock.advance(seconds=590)
        assert (await browser.get(SESSION)).status == 200
    clock.advance(seconds=30)  # 1800 s after login
    response = await browser.get(SESSION)
    assert (response.status, response.error_code) == (401, "session_expired")
    assert response.json["error"]["message"] == "会话已过期，请重新登录"


@pytest.mark.asyncio
async def test_logout_revokes_the_session_and_clears_the_cookie(server: TestServer) -> None:
    browser = await signed_in_staff(server, "guo.hui")
    other = await login_browser(server, "guo.hui")
    response = await browser.post("/staff/v1/auth/logout")
    assert response.status == 204
    assert set_cookies(response)[COOKIE_NAME].value == ""
    assert (await browser.get(SESSION)).error_code == "session_invalid"
    assert (await other.get(SESSION)).status == 200  # only this session ends


@pytest.mark.asyncio
async def test_login_rehashes_a_password_hashed_with_old_parameters(start_server: StartServer) -> None:
    old = await start_server(password_time_cost=1)
    await create_staff(old, "xu.bo")
    old_user = await repo.find_user_by_username(old.deps.db, "xu.bo")
    assert old_user is not None
    assert ",t=1," in old_user.password_hash

    new = await start_server(password_time_cost=2, mongo_db=old.settings.mongo_db)
    assert (await login(new, "xu.bo")).status == 200
    rehashed = await repo.find_user_by_username(new.deps.db, "xu.bo")
    assert rehashed is not None
    assert ",t=2," in rehashed.password_hash
    assert (await login(new, "xu.bo")).status == 200


@pytest.mark.asyncio
async def test_login_accepts_only_a_json_body(server: TestServer) -> None:
    # What protects login from cross-site forms: they cannot send application/json without a preflight.
    await create_staff(server, "feng.bo")
    form = await server.post("/staff/v1/auth/login", body=f"username=feng.bo&password={STAFF_PASSWORD}".encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (form.status, form.error_code) == (415, "json_required")
    assert COOKIE_NAME not in set_cookies(form)


@pytest.mark.asyncio
async def test_unknown_usernames_cost_as_much_time_as_wrong_passwords(start_server: StartServer) -> None:
    # Parameters where one hash clearly dominates a request, so the comparison is not noise.
    server = await start_server(password_time_cost=2, password_memory_kib=32 * 1024)
    await create_staff(server, "kong.rui")

    async def seconds(username: str) -> float:
        started = time.perf_counter()
        assert (await login(server, username, "wrong-password")).error_code == "login_failed"
        return time.perf_counter() - started

    known = sorted([await seconds("kong.rui") for _ in range(3)])[1]
    unknown = sorted([await seconds("no.such.user") for _ in range(3)])[1]
    assert unknown > known * 0.5, (unknown, known)


@pytest.mark.asyncio
async def test_a_burst_of_guesses_tests_no_more_passwords_than_the_limit(start_server: StartServer) -> None:
    server = await start_server(clock=FrozenClock(), staff_login_max_failures=5)
    await create_staff(server, "tang.yi")
    attempts = await asyncio.gather(*(login(server, "tang.yi", f"wrong-guess-{i:03d}") for i in range(41)))

    codes = [response.error_code for response in attempts]
    # Only 5 passwords were checked, however the 41 requests interleaved; the rest were refused unchecked.
    assert (codes.count("login_failed"), codes.count("account_locked")) == (5, 36)
    user = await repo.find_user_by_username(server.deps.db, "tang.yi")
    assert user is not None
    assert user.failed_logins == 5
    assert user.locked_until == server.deps.clock.now() + timedelta(seconds=server.settings.staff_lockout_seconds)
    assert (await login(server, "tang.yi")).error_code == "account_locked"


@pytest.mark.asyncio
async def test_the_right_password_signs_in_up_to_the_limit_and_clears_the_count(start_server: StartServer) -> None:
    server = await start_server(clock=FrozenClock(), staff_login_max_failures=5)
    await create_staff(server, "bai.lu")
    for _ in range(4):
        assert (await login(server, "bai.lu", "wrong-password")).error_code == "login_failed"
    assert (await login(server, "bai.lu")).status == 200
    user = await repo.find_user_by_username(server.deps.db, "bai.lu")
    assert user is not None
    assert (user.failed_logins, user.locked_until) == (0, None)

    assert (await login(server, "bai.lu", "wrong-password")).error_code == "login_failed"
    guesses = ["wrong-1-password", "wrong-2-password", STAFF_PASSWORD, "wrong-3-password"]
    attempts = await asyncio.gather(*(login(server, "bai.lu", guess) for guess in guesses))
    # Five attempts in all, so each one is checked, and the right one signs in whatever the order.
    assert [response.status for response in attempts] == [401, 401, 200, 401]
    user = await repo.find_user_by_username(server.deps.db, "bai.lu")
    assert user is not None
    assert user.locked_until is None


@pytest.mark.asyncio
async def test_a_disabled_account_with_the_right_password_is_not_counted_as_failing(
        start_server: StartServer) -> None:
    server = await start_server(clock=FrozenClock(), staff_login_max_failures=2)
    user = await create_staff(server, "lu.xin")
    await repo.update_profile(server.deps.db, user.id, server.deps.clock.now(), disabled=True)
    for _ in range(3):
        assert (await login(server, "lu.xin")).error_code == "account_disabled"
    stored = await repo.find_user(server.deps.db, user.id)
    assert stored is not None
    assert (stored.failed_logins, stored.locked_until) == (0, None)


@pytest.mark.asyncio
async def test_logins_beyond_the_hashing_slots_are_refused_busy_and_not_counted(start_server: StartServer) -> None:
    # One slot, no wait, and a hash slow enough that the other requests arrive while it runs.
    server = await start_server(clock=FrozenClock(), staff_login_max_failures=100, password_checks_at_once=1,
                                password_check_wait_seconds=0, password_time_cost=2,
                                password_memory_kib=32 * 1024)
    await create_staff(server, "qin.an")
    attempts = await asyncio.gather(*(login(server, "qin.an", f"wrong-{i}-password") for i in range(8)))

    codes = [response.error_code for response in attempts]
    assert set(codes) == {"login_failed", "password_checks_busy"}
    busy = attempts[codes.index("password_checks_busy")]
    assert (busy.status, busy.headers["Retry-After"]) == (503, "1")
    user = await repo.find_user_by_username(server.deps.db, "qin.an")
    assert user is not None
    assert user.failed_logins == codes.count("login_failed")
    assert (await login(server, "qin.an")).status == 200  # the slot is free again
