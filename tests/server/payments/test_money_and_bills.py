"""Amounts at the providers' edges and the two bill formats, parsed from text."""

from __future__ import annotations

import io
import zipfile

import pytest

from server.payments.alipay import parse_trade_bill as parse_alipay_bill
from server.payments.gateway import BillLine
from server.payments.money import fen_to_yuan, yuan_to_fen
from server.payments.wechatpay import parse_trade_bill as parse_wechat_bill


@pytest.mark.parametrize(("text", "fen"), [("12.34", 1234), ("0.01", 1), ("15", 1500), ("15.5", 1550),
                                           ("-3.00", -300), ("1000000.00", 100000000)])
def test_yuan_text_becomes_fen_without_floats(text: str, fen: int) -> None:
    assert yuan_to_fen(text) == fen
    if fen >= 0:
        assert yuan_to_fen(fen_to_yuan(fen)) == fen


@pytest.mark.parametrize("text", ["", "1.234", "abc", "1.x", "1e3", ".5"])
def test_malformed_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        yuan_to_fen(text)


def test_a_wechat_bill_yields_payments_and_refunds_and_stops_at_the_summary() -> None:
    header = "交易时间,微信订单号,商户订单号,交易状态,应结订单金额,退款金额"
    text = "\r\n".join([
        header,
        "`2026-11-23 10:00:00,`4200001,`P1,`SUCCESS,`15.00,`0.00",
        "`2026-11-23 11:00:00,`4200001,`P1,`REFUND,`0.00,`5.00",
        "总交易单数,应结订单总金额",
        "`1,`15.00",
    ])
    assert parse_wechat_bill("\ufeff" + text) == [BillLine("P1", "4200001", "payment", 1500),
                                                  BillLine("P1", "4200001", "refund", 500)]


def test_an_alipay_bill_is_read_from_its_gbk_zip() -> None:
    rows = ["#支付宝业务明细查询", "支付宝交易号,商户订单号,业务类型,商品名称,订单金额（元）",
            "2026112322001,P2,交易,规费,20.00", "2026112322001,P2,退款,规费,-1.50", "#结束"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x_业务明细.csv", "\r\n".join(rows).encode("gbk"))
        archive.writestr("x_业务明细(汇总).csv", "#汇总".encode("gbk"))
    assert parse_alipay_bill(buffer.getvalue()) == [BillLine("P2", "2026112322001", "payment", 2000),
                                                    BillLine("P2", "2026112322001", "refund", 150)]
