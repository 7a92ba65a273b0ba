from __future__ import annotations

from server.messages.kinds import MessageKind, template_fields


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
