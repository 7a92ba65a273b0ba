"""The service guide (办事指南) as data: fields, codes and the JSON schema that validates a guide.

Field set after GB/T 39046-2020 (item part) and domain.md §1–3. Codes are stored as the standard's
strings; labels are for display. Item codes are opaque strings: never parse them for logic.
"""

from __future__ import annotations

from typing import Any

from cms.content.files import FILE_REF
from server.http.api import Schema, array, boolean, integer, nullable, obj, string

ITEM_TYPES: dict[str, str] = {
    "00": "行政权力", "01": "行政许可", "02": "行政处罚", "03": "行政强制", "04": "行政征收", "05": "行政给付",
    "06": "行政检查", "07": "行政确认", "08": "行政奖励", "09": "行政裁决", "10": "其他行政权力", "20": "公共服务",
}
LEVELS: dict[str, str] = {"1": "国家级", "2": "省级", "3": "市级", "4": "县级", "5": "镇（乡、街道）级",
                          "6": "村（社区）级", "7": "分级管理"}
SERVICE_OBJECTS: dict[str, str] = {"1": "自然人", "2": "企业法人", "3": "事业法人", "4": "社会组织法人",
                                   "5": "非法人企业", "6": "其他组织"}
HANDLING_TYPES: dict[str, str] = {"1": "即办件", "2": "承诺件", "9": "其他"}
HANDLING_FORMS: dict[str, str] = {"1": "窗口办理", "2": "网上办理", "3": "移动端办理", "4": "快递申请", "9": "其他"}
# The four ways an item is handled online (domain.md §2, seed document 004).
HANDLING_MODES: dict[str, str] = {
    "original_pre_review": "原件预审",
    "front_verification": "前置核验（一次办结）",
    "back_verification": "后置核验（一次办结）",
    "fully_online": "全程网办",
}
ONLINE_DEPTHS: dict[int, str] = {1: "Ⅰ级 信息公开/指南", 2: "Ⅱ级 表格下载/在线申请", 3: "Ⅲ级 网上预审/受理",
                                 4: "Ⅳ级 全程网办"}
TIME_UNITS: dict[str, str] = {"working_days": "工作日", "natural_days": "自然日", "hours": "小时"}
MATERIAL_MEDIA: dict[str, str] = {"paper": "纸质", "electronic": "电子", "either": "纸质或电子"}
MATERIAL_REQUIREMENTS: dict[str, str] = {"required": "必要", "conditional": "容缺/情形"}

_TEXT = string(maxLength=20000, description="Markdown (HTML allowed); delivered rendered and sanitised")
_SHORT = string(maxLength=200)
# Files are uploaded first (POST .../attachments) and referred to by the key the upload returned.
_FILE_REF = FILE_REF

TIME_LIMIT: Schema = nullable(obj({
    "value": integer(minimum=0, maximum=3650),
    "unit": string(enum=list(TIME_UNITS)),
    "note": string(maxLength=500),
}, required=["value", "unit"]))

MATERIAL: Schema = obj({
    "id": string(pattern=r"^[a-z0-9_-]{1,40}$", description="Stable slot id; omit for a new slot"),
    "name": string(minLength=1, maxLength=200),
    "issuing_body": string(maxLength=200),
    "originals": integer(minimum=0, maximum=99),
    "copies": integer(minimum=0, maximum=99),
    "medium": string(enum=list(MATERIAL_MEDIA)),
    "requirement": string(enum=list(MATERIAL_REQUIREMENTS)),
    "condition": string(maxLength=1000, description="When a conditional material is needed"),
    "format_notes": string(maxLength=1000),
    "blank_form": _FILE_REF,
    "sample": _FILE_REF,
    "accepts_e_licence": boolean(description="An electronic licence (电子证照) can satisfy it"),
    "accepts_reuse": boolean(description="An earlier accepted upload (我的材料) can satisfy it"),
}, required=["name"])

# 1 亿元: far above any fee a guide lists, far below what BSON (2^63) and JavaScript (2^53) can hold, so a
# typo with extra zeros is a field problem instead of an overflow at write time.
MAX_FEE_FEN = 10**10

FEE_ITEM: Schema = obj({"name": string(minLength=1, maxLength=200),
                        "amount_fen": integer(minimum=0, maximum=MAX_FEE_FEN),
                        "basis": string(maxLength=1000)}, required=["name", "amount_fen"])

JOINT_STEP: Schema = obj({
    "id": string(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", description="Unique within the process"),
    "name": string(minLength=1, maxLength=100),
    "department_id": string(minLength=1, maxLength=40, description="Id in the managed department list"),
    "time_limit_days": integer(minimum=1, maximum=365, description="Working days from the step's start"),
    "after": array(string(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$"), maxItems=20, uniqueItems=True,
                   description="Ids of earlier steps that must approve first (none: starts at the push)"),
}, required=["id", "name", "department_id", "time_limit_days"])

# 并联/串联审批: one case, a lead department, steps of several departments in series and in parallel.
JOINT_PROCESS: Schema = nullable(obj({
    "domain": string(minLength=1, maxLength=40, description="Id in the managed domain list (商事登记...)"),
    "lead_department_id": string(minLength=1, maxLength=40, description="牵头部门: sees and coordinates the case"),
    "steps": array(JOINT_STEP, minItems=1, maxItems=20),
}, required=["domain", "lead_department_id", "steps"]))

GUIDE_FIELDS: dict[str, Schema] = {
    "name": string(minLength=1, maxLength=200),
    "aliases": array(string(minLength=1, maxLength=50), maxItems=50, uniqueItems=True),
    "basic_code": string(maxLength=40),
    "implementation_code": string(minLength=1, maxLength=120),
    "item_type": string(enum=list(ITEM_TYPES)),
    "level": string(enum=list(LEVELS)),
    "region_code": string(pattern=r"^\d{6}(\d{6})?$"),
    "department_id": string(minLength=1, maxLength=40, description="Id in the managed department list"),
    "service_objects": array(string(enum=list(SERVICE_OBJECTS)), uniqueItems=True),
    "themes": array(string(minLength=1, maxLength=40), uniqueItems=True, description="Theme ids"),
    "summary": string(maxLength=500),
    "conditions": _TEXT,
    "process_steps": array(obj({"name": string(minLength=1, maxLength=100), "description": _TEXT},
                               required=["name"]), maxItems=50),
    "legal_basis": _TEXT,
    "legal_time_limit": TIME_LIMIT,
    "promised_time_limit": TIME_LIMIT,
    "handling_type": string(enum=list(HANDLING_TYPES)),
    "handling_mode": string(enum=list(HANDLING_MODES)),
    "handling_forms": array(string(enum=list(HANDLING_FORMS)), uniqueItems=True),
    "online_depth": integer(minimum=1, maximum=4),
    "visits_required": integer(minimum=0, maximum=10),
    "fees": obj({"charged": boolean(), "items": array(FEE_ITEM, maxItems=50), "basis": string(maxLength=2000)},
                required=["charged"]),
    "payment_online": boolean(),
    "express_delivery": boolean(),
    "appointment": boolean(),
    "place": string(maxLength=500),
    "hours": string(maxLength=500),
    "consult_phone": string(maxLength=100),
    "complaint_phone": string(maxLength=100),
    "faq": array(obj({"question": string(minLength=1, maxLength=500), "answer": _TEXT}, required=["question"]),
                 maxItems=100),
    "result": nullable(obj({"name": _SHORT, "type": string(enum=["licence", "approval", "certificate", "other"]),
                            "sample": _FILE_REF}, required=["name"])),
    "materials": array(MATERIAL, maxItems=100),
    "joint_process": JOINT_PROCESS,
}

# What an editor must give before a guide can be saved at all; everything else may be filled in later
# drafts (the review decides whether it is complete enough to publish).
GUIDE_REQUIRED: tuple[str, ...] = ("name", "implementation_code", "item_type", "department_id")

GUIDE_SCHEMA: Schema = obj(GUIDE_FIELDS, required=list(GUIDE_REQUIRED))

# Fields every published guide must have (checked when a draft is submitted for review).
PUBLISH_REQUIRED: tuple[str, ...] = ("name", "implementation_code", "item_type", "level", "department_id",
                                     "service_objects", "handling_type", "online_depth")


def empty_guide() -> dict[str, Any]:
    return {"aliases": [], "service_objects": [], "themes": [], "process_steps": [], "handling_forms": [],
            "fees": {"charged": False, "items": []}, "faq": [], "materials": [], "payment_online": False,
            "express_delivery": False, "appointment": False, "joint_process": None}
