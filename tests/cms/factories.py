"""Plain factories for CMS tests: catalog entries, guide and notice bodies, callers."""

from __future__ import annotations

from typing import Any

from cms.catalog_lists.service import ensure_department, ensure_theme
from cms.content.caller import Caller
from server.actor import Actor
from server.deps import Deps

DEPARTMENT_ID = "11511301008778183N"
OTHER_DEPARTMENT_ID = "083372204"
THEME_ID = "birth"
OTHER_THEME_ID = "business"


async def create_catalog(deps: Deps) -> None:
    await ensure_department(deps, id=DEPARTMENT_ID, name="区经信局", credit_code="11511301008778183N",
                            region_code="511602000000")
    await ensure_department(deps, id=OTHER_DEPARTMENT_ID, name="区教科体局", credit_code=None, region_code=None)
    await ensure_theme(deps, id=THEME_ID, name="生育收养")
    await ensure_theme(deps, id=OTHER_THEME_ID, name="开办企业")


def material(name: str, **overrides: Any) -> dict[str, Any]:
    return {"name": name, "issuing_body": "申请人", "originals": 1, "copies": 0, "medium": "either",
            "requirement": "required", **overrides}


def guide_content(code: str = "511Z07001006-511602000000-000-11511301008778183N-1-00",
                  **overrides: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "name": "企业投资项目备案",
        "aliases": ["项目备案"],
        "implementation_code": code,
        "item_type": "10",
        "level": "4",
        "department_id": DEPARTMENT_ID,
        "service_objects": ["2"],
        "themes": [OTHER_THEME_ID],
        "summary": "企业投资项目备案办理指南",
        "conditions": "**符合条件**的企业投资项目",
        "process_steps": [{"name": "申请", "description": "在线提交"}, {"name": "受理"}],
        "handling_type": "1",
        "handling_mode": "fully_online",
        "handling_forms": ["2", "3"],
        "online_depth": 4,
        "visits_required": 0,
        "fees": {"charged": False, "items": []},
        "payment_online": False,
        "promised_time_limit": {"value": 1, "unit": "working_days"},
        "materials": [material("项目备案申请表"), material("营业执照", medium="electronic", accepts_e_licence=True)],
    }
    content.update(overrides)
    return content


def notice_content(**overrides: Any) -> dict[str, Any]:
    return {"title": "关于春节期间政务服务安排的通知", "summary": "春节期间窗口安排", "category": "notice",
            "body": "各位办事群众：\n春节期间**网上办理**不停歇。", "pinned": False, **overrides}


def editor() -> Caller:
    return Caller(Actor("staff", "u-editor", "编辑甲"), frozenset({"editor"}))


def reviewer() -> Caller:
    return Caller(Actor("staff", "u-reviewer", "审核乙"), frozenset({"reviewer"}))


def editor_reviewer() -> Caller:
    return Caller(Actor("staff", "u-both", "编辑兼审核"), frozenset({"editor", "reviewer"}))
