from __future__ import annotations

import pytest

from server.errors import AppError
from server.staff.roles import ROLE_NAMES, ROLE_SPECS, Role, check_assignment, check_domains


def test_every_role_has_a_spec_and_the_names_are_the_closed_set() -> None:
    assert set(ROLE_SPECS) == set(Role)
    assert ROLE_NAMES == ("admin", "editor", "reviewer", "officer", "supervisor", "window")
    assert ROLE_SPECS[Role.WINDOW].label == "综合窗口"


def test_assignment_is_normalised_to_role_order_without_duplicates() -> None:
    roles, departments = check_assignment(["officer", "admin", "officer"], [" 083372204", "083372204", "A-1"])
    assert roles == (Role.ADMIN, Role.OFFICER)
    assert departments == ("083372204", "A-1")


@pytest.mark.parametrize(("roles", "departments", "code"), [
    (["root"], [], "unknown_role"),
    ([], [], "roles_required"),
    (["officer"], [], "departments_required"),
    (["editor"], ["083372204"], "departments_not_applicable"),
    (["officer"], ["bad code!"], "invalid_department_code"),
])
def test_assignment_refusals(roles: list[str], departments: list[str], code: str) -> None:
    with pytest.raises(AppError) as caught:
        check_assignment(roles, departments)
    assert caught.value.code == code


def test_window_officers_have_domains_and_only_they_do() -> None:
    assert check_domains((Role.WINDOW,), [" livelihood", "livelihood", "business_registration"]) == (
        "livelihood", "business_registration")
    assert check_domains((Role.OFFICER,), []) == ()


@pytest.mark.parametrize(("roles", "domains", "code"), [
    ((Role.WINDOW,), [], "domains_required"),
    ((Role.OFFICER,), ["livelihood"], "domains_not_applicable"),
    ((Role.WINDOW,), ["商事登记"], "invalid_domain_code"),
])
def test_domain_refusals(roles: tuple[Role, ...], domains: list[str], code: str) -> None:
    with pytest.raises(AppError) as caught:
        check_domains(roles, domains)
    assert caught.value.code == code
