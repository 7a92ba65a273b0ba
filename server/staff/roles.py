"""The closed set of staff roles, defined here and nowhere else.

Roles do not imply one another: ``admin`` manages accounts and nothing more, so an administrator who
must also edit content or handle cases is given those roles explicitly. That keeps every permission
visible on the account instead of hidden in a hierarchy. An endpoint declares the roles it accepts
(``@endpoint(..., auth="staff", roles=(Role.EDITOR,))``); a user needs at least one of them.

Adding a role (for example the planned comprehensive window officer) means adding one ``Role`` member
and one ``ROLE_SPECS`` entry; schemas, validation, the CLI and the console read them from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from server.errors import Unprocessable


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    WINDOW = "window"


@dataclass(frozen=True)
class RoleSpec:
    label: str
    # Department-scoped roles only see the work of the departments listed on the account.
    department_scoped: bool = False
    # Domain-scoped roles see the joint cases of the domains (商事登记, 投资建设...) listed on the account.
    domain_scoped: bool = False


ROLE_SPECS: dict[Role, RoleSpec] = {
    Role.ADMIN: RoleSpec("系统管理员"),
    Role.EDITOR: RoleSpec("内容编辑"),
    Role.REVIEWER: RoleSpec("内容审核"),
    Role.OFFICER: RoleSpec("窗口人员", department_scoped=True),
    Role.SUPERVISOR: RoleSpec("监督人员"),
    Role.WINDOW: RoleSpec("综合窗口", domain_scoped=True),
}

ROLE_NAMES: tuple[str, ...] = tuple(role.value for role in Role)

# Department codes in real catalogues look like "68236467-9", "083372204" or an 18-character credit code.
DEPARTMENT_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$"
_DEPARTMENT_CODE = re.compile(DEPARTMENT_CODE_PATTERN)
MAX_DEPARTMENTS = 50
# Ids of the managed domain list (cms.catalog_lists DOMAINS).
DOMAIN_CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_DOMAIN_CODE = re.compile(DOMAIN_CODE_PATTERN)
MAX_DOMAINS = 20


class UnknownRole(Unprocessable):
    code = "unknown_role"
    default_message = "角色无效"


class RolesRequired(Unprocessable):
    code = "roles_required"
    default_message = "至少需要一个角色"


class DepartmentsRequired(Unprocessable):
    code = "departments_required"
    default_message = "窗口人员必须绑定至少一个部门"


class DepartmentsNotApplicable(Unprocessable):
    code = "departments_not_applicable"
    default_message = "只有按部门授权的角色才能绑定部门"


class InvalidDepartmentCode(Unprocessable):
    code = "invalid_department_code"
    default_message = "部门编码无效"


class DomainsRequired(Unprocessable):
    code = "domains_required"
    default_message = "综合窗口人员必须绑定至少一个领域"


class DomainsNotApplicable(Unprocessable):
    code = "domains_not_applicable"
    default_message = "只有综合窗口角色才能绑定领域"


class InvalidDomainCode(Unprocessable):
    code = "invalid_domain_code"
    default_message = "领域编码无效"


def check_domains(roles: Iterable[Role], domains: Iterable[str]) -> tuple[str, ...]:
    """Validate the domains of an account with the (checked) ``roles``; normalised, no duplicates."""
    codes = tuple(dict.fromkeys(code.strip() for code in domains))
    bad = [code for code in codes if not _DOMAIN_CODE.fullmatch(code)]
    if bad or len(codes) > MAX_DOMAINS:
        raise InvalidDomainCode(domains=bad)
    scoped = any(ROLE_SPECS[role].domain_scoped for role in roles)
    if scoped and not codes:
        raise DomainsRequired()
    if codes and not scoped:
        raise DomainsNotApplicable()
    return codes


def check_assignment(roles: Iterable[str], departments: Iterable[str]) -> tuple[tuple[Role, ...], tuple[str, ...]]:
    """Validate a role/department assignment and return it normalised (known order, no duplicates)."""
    wanted = set(roles)
    unknown = sorted(wanted - set(ROLE_NAMES))
    if unknown:
        raise UnknownRole(f"未知角色: {', '.join(unknown)}", roles=unknown)
    if not wanted:
        raise RolesRequired()
    chosen = tuple(role for role in Role if role.value in wanted)
    codes = tuple(dict.fromkeys(code.strip() for code in departments))
    bad = [code for code in codes if not _DEPARTMENT_CODE.fullmatch(code)]
    if bad:
        raise InvalidDepartmentCode(departments=bad)
    if len(codes) > MAX_DEPARTMENTS:
        raise InvalidDepartmentCode(f"最多绑定 {MAX_DEPARTMENTS} 个部门")
    scoped = any(ROLE_SPECS[role].department_scoped for role in chosen)
    if scoped and not codes:
        raise DepartmentsRequired()
    if codes and not scoped:
        raise DepartmentsNotApplicable()
    return chosen, codes
