from __future__ import annotations

from server.cases.states import Action
from server.messages.kinds import ACTION_MESSAGES, STATUS_LINES, WORDING, MessageKind, template_fields
from server.sandbox.messages import wechat_data_problem


def message(**data: object) -> dict[str, object]:
    return {"case_number": "YW2026112300042", "guide_name": "企业投资项目备案（县级行使）的变更登记申请",
            "queued_at_text": "2026-11-23 09:30", "data": data}


def test_the_progress_template_fields_fit_wechats_limits() -> None:
    fields = template_fields(MessageKind.ACCEPTED, message())
    assert fields == {"character_string1": "YW2026112300042", "thing2": "企业投资项目备案（县级行使）的变更登记申",
                      "phrase3": "已受理", "thing4": "点击查看办件详情", "time5": "2026-11-23 09:30"}


def test_remarks_carry_what_the_citizen_needs() -> None:
    delivered = template_fields(MessageKind.DELIVERED, message(waybill_no="SF1", carrier="顺丰"))
    assert delivered["thing4"] == "顺丰运单号SF1"
    assert template_fields(MessageKind.FEE_DUE, message(amount_fen=12050))["thing4"] == "应缴120.50元"
    long_reason = "营业执照照片模糊不清，请重新拍摄并上传原件彩色照片"
    assert template_fields(MessageKind.DENIED, message(reason=long_reason))["thing4"] == long_reason[:20]
    assert template_fields(MessageKind.APPROVED, message(reason="内部备注"))["thing4"] == "点击查看办件详情"


def test_every_kind_fits_the_value_rules_wechat_enforces() -> None:
    # The sandbox applies WeChat's rules (a phrase is at most five Chinese characters, a thing at most 20
    # characters...); a value outside them gets the whole message refused with 47003 in production.
    worst = message(reason="原因" * 30, progress="进度" * 30, waybill_no="SF" + "9" * 40, carrier="快递公司" * 5,
                    amount_fen=99_999_999)
    for kind in MessageKind:
        fields = template_fields(kind, worst)
        assert wechat_data_problem({key: {"value": value} for key, value in fields.items()}) is None, (kind, fields)
        assert STATUS_LINES[kind] == WORDING[kind].line


def test_an_expired_draft_says_why() -> None:
    assert ACTION_MESSAGES[Action.EXPIRE_DRAFT] is MessageKind.DRAFT_EXPIRED
    fields = template_fields(MessageKind.DRAFT_EXPIRED, message(reason="草稿90天未更新，系统已自动撤回"))
    assert (fields["phrase3"], fields["thing4"]) == ("草稿已撤回", "草稿90天未更新，系统已自动撤回")
    assert template_fields(MessageKind.DRAFT_EXPIRED, message())["thing4"] == "草稿长期未更新已撤回"
