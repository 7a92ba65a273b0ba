from __future__ import annotations

import pytest

from server.identity.errors import InvalidLegalPersonName, InvalidPersonName
from server.identity.names import mask_person_name, validate_legal_person_name, validate_person_name


@pytest.mark.parametrize(("typed", "normalised"), [
    (" 张三 ", "张三"),
    ("阿卜杜•热合曼", "阿卜杜·热合曼"),
    ("阿卜杜・热合曼", "阿卜杜·热合曼"),
    ("John  Smith", "John Smith"),
    ("ＡＢＣ", "ABC"),
])
def test_person_names_are_normalised(typed: str, normalised: str) -> None:
    assert validate_person_name(typed) == normalised


@pytest.mark.parametrize("bad", ["", "   ", "张三1", "<b>张三</b>", "·张三", "张" * 41, "张\n三"])
def test_odd_person_names_are_refused(bad: str) -> None:
    with pytest.raises(InvalidPersonName):
        validate_person_name(bad)


def test_legal_person_names_are_trimmed_and_bounded() -> None:
    assert validate_legal_person_name("  福州某某  有限公司 ") == "福州某某 有限公司"
    for bad in ("", "  ", "x" * 101, "公司\x00"):
        with pytest.raises(InvalidLegalPersonName):
            validate_legal_person_name(bad)


@pytest.mark.parametrize(("name", "masked"), [("张", "张"), ("张三", "张*"), ("张三丰", "张*丰"),
                                               ("欧阳娜娜", "欧**娜")])
def test_names_are_masked_for_display(name: str, masked: str) -> None:
    assert mask_person_name(name) == masked
