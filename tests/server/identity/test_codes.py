"""Citizen ID numbers, credit codes and mobile numbers, against the vectors in
shared/testdata/vectors/payment_and_id_vectors.md §4 and §5 plus real codes from the Guang'an catalogue."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.errors import AppError
from server.identity.codes import (
    CREDIT_CODE_CHARACTERS,
    EARLIEST_BIRTH_DATE,
    CitizenId,
    InvalidCitizenId,
    InvalidCreditCode,
    InvalidMobile,
    Sex,
    citizen_id_check_character,
    credit_code_check_character,
    mask_citizen_id,
    mask_mobile,
    organisation_code_check_character,
    validate_citizen_id,
    validate_credit_code,
    validate_mobile,
)

TODAY = date(2026, 11, 23)
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, database=None)

# Every distinct 18-character department code in shared/data/catalog_guangan.jsonl: the 18-character
# dash-separated segments of `item_code` plus `department_code` where it has 18 characters, upper-cased.
# Copied here because a fresh clone has no ../shared.
GUANGAN_DEPARTMENT_CODES = (
    "11511300008778693M", "11511300MB1A21304N", "1151130100877801XA", "115113010087780365",
    "11511301008778175U", "11511301008778183N", "11511301008778220W", "11511301008778239R",
    "11511301008778255F", "11511301008778298W", "115113010087783353", "11511301008778378G",
    "11511301008778386B", "11511301008778423H", "1151130100877844X4", "11511301008778490F",
    "115113010087786859", "115113010833722043", "11511301452259996U", "11511301599994805M",
    "115113016823646795", "1151130174468656XH", "1151130176726532XP", "11511301MB051073XA",
    "11511301MB0T669970", "11511301MB1549994W", "11511301MB1550442U", "11511301MB15537661",
    "11511301MB163323XU", "11511301MB1935318L", "11511301MB1D685275", "11511301MB1P96705T",
    "12511300452258950C", "12511300452259013M", "125113010603241893", "1251130145225903XN",
    "12511301452260997J", "1251130145226113XA", "12511301452262044F", "12511301MB1297707Y",
)
# The catalogue's data quirks, kept as they appear there.
GUANGAN_LOWER_CASE_DEPARTMENT_CODE = "11511301452259996u"  # department_code of 区残联
GUANGAN_TOBACCO_ITEM_SEGMENT = "TE5116020105116050"  # 区烟草专卖局 item codes: not a credit code
GUANGAN_TRUNCATED_DEPARTMENT_CODE = "1151130000877869M"  # 17 characters


def assert_rejected(error: AppError, value: str, code: str, reason: str) -> None:
    assert error.code == code
    assert error.status == 422
    assert error.details["reason"] == reason
    if value.strip():
        for shown in (str(error), error.message, repr(error), repr(error.to_dict())):
            assert value.strip() not in shown
    assert error.__cause__ is None


# --- citizen ID numbers: vectors §4 ---


def test_standard_example_beijing_is_valid_and_female():
    citizen = validate_citizen_id("11010519491231002X", today=TODAY)
    assert citizen.number == "11010519491231002X"
    assert citizen.area_code == "110105"
    assert citizen.birth_date == date(1949, 12, 31)
    assert citizen.sex is Sex.FEMALE


def test_standard_example_shantou_born_1880_is_valid_and_male():
    citizen = validate_citizen_id("440524188001010014", today=TODAY)
    assert citizen.birth_date == date(1880, 1, 1)
    assert citizen.sex is Sex.MALE
    assert citizen_id_check_character("44052418800101001") == "4"


def test_lower_case_x_is_accepted_and_normalised():
    assert validate_citizen_id("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_mutated_check_digit_is_refused():
    with pytest.raises(InvalidCitizenId) as caught:
        validate_citizen_id("110105194912310021", today=TODAY)
    assert_rejected(caught.value, "110105194912310021", "invalid_id_number", "check_character")


# --- citizen ID numbers: normalisation and refusals ---


@pytest.mark.parametrize(
    "typed",
    [
        "  11010519491231002X\n",
        "\u300011010519491231002X\u3000",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
    ],
)
def test_whitespace_and_full_width_are_normalised(typed: str):
    assert validate_citizen_id(typed, today=TODAY).number == "11010519491231002X"


def with_check(first_17: str) -> str:
    return first_17 + citizen_id_check_character(first_17)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "format"),
        ("11010519491231002", "format"),
        ("11010519491231002XX", "format"),
        ("1101051949123100X2", "format"),
        ("11010519491231002Y", "format"),
        ("110105 19491231002X", "format"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "format"),  # Arabic-Indic digits are digits to str.isdigit, not to us
        (with_check("01010519491231002"), "area_code"),
        (with_check("11010519490230002"), "birth_date"),
        (with_check("11010519491301002"), "birth_date"),
        (with_check("11010517991231002"), "birth_date"),
        (with_check("11010520261124002"), "birth_date"),
    ],
)
def test_invalid_citizen_ids_are_refused_without_echoing_the_number(value: str, reason: str):
    with pytest.raises(InvalidCitizenId) as caught:
        validate_citizen_id(value, today=TODAY)
    assert_rejected(caught.value, value, "invalid_id_number", reason)


def test_birth_date_limits_are_inclusive():
    assert validate_citizen_id(with_check("110105" + TODAY.strftime("%Y%m%d") + "002"), today=TODAY)
    earliest = with_check("110105" + EARLIEST_BIRTH_DATE.strftime("%Y%m%d") + "002")
    assert validate_citizen_id(earliest, today=TODAY).birth_date == EARLIEST_BIRTH_DATE


def test_default_today_refuses_a_birth_date_in_the_future():
    with pytest.raises(InvalidCitizenId):
        validate_citizen_id(with_check("11010529991231002"))
    assert validate_citizen_id("11010519491231002X").sex is Sex.FEMALE


def test_non_string_input_is_refused():
    with pytest.raises(InvalidCitizenId):
        validate_citizen_id(None)  # type: ignore[arg-type]


def test_citizen_id_repr_is_masked():
    citizen = validate_citizen_id("11010519491231002X", today=TODAY)
    assert repr(citizen) == "CitizenId(1101**********002X)"
    assert "11010519491231002X" not in f"{citizen}"
    assert citizen.masked == "1101**********002X"
    assert citizen == CitizenId("11010519491231002X", date(1949, 12, 31), Sex.FEMALE)


@given(
    area=st.integers(100000, 999999),
    birth_date=st.dates(EARLIEST_BIRTH_DATE, TODAY),
    sequence=st.integers(0, 999),
)
@PROPERTY_SETTINGS
def test_exactly_one_check_character_completes_a_random_body(area: int, birth_date: date, sequence: int):
    body = f"{area}{birth_date:%Y%m%d}{sequence:03d}"
    accepted = []
    for check in "0123456789X":
        try:
            accepted.append(validate_citizen_id(body + check, today=TODAY))
        except InvalidCitizenId:
            pass
    assert [citizen.number[-1] for citizen in accepted] == [citizen_id_check_character(body)]
    assert accepted[0].birth_date == birth_date
    assert accepted[0].sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)


@given(
    area=st.integers(100000, 999999),
    birth_date=st.dates(EARLIEST_BIRTH_DATE, TODAY),
    sequence=st.integers(0, 999),
    position=st.integers(0, 17),
    replacement=st.sampled_from("0123456789X"),
)
@PROPERTY_SETTINGS
def test_any_single_character_change_is_refused(
    area: int, birth_date: date, sequence: int, position: int, replacement: str
):
    valid = with_check(f"{area}{birth_date:%Y%m%d}{sequence:03d}")
    changed = valid[:position] + replacement + valid[position + 1:]
    if changed == valid:
        return
    with pytest.raises(InvalidCitizenId):
        validate_citizen_id(changed, today=TODAY)


# --- unified social credit codes: vectors §5 ---


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91512081MA62K0260E"])
def test_worked_examples_are_valid(code: str):
    assert validate_credit_code(code) == code
    assert validate_credit_code(code, check_organisation_code=True) == code


def test_worked_example_sum_gives_check_3():
    assert credit_code_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4Z", "format"),  # the standard page's negative example: Z is not in the set at all
        ("91310115MA1H8R7C6D", "check_character"),  # published "example", wrong: the check character is 7
        ("91310115MA1G4L1WXK", "check_character"),  # published "example", wrong: the check character is 7
    ],
)
def test_wrong_examples_are_refused(code: str, reason: str):
    with pytest.raises(InvalidCreditCode) as caught:
        validate_credit_code(code)
    assert_rejected(caught.value, code, "invalid_credit_code", reason)
    assert credit_code_check_character(code[:17]) != code[17]


def test_published_wrong_examples_compute_to_7():
    assert credit_code_check_character("91310115MA1H8R7C6") == "7"
    assert credit_code_check_character("91310115MA1G4L1WX") == "7"


def test_there_are_40_distinct_real_codes():
    assert len(set(GUANGAN_DEPARTMENT_CODES)) == 40


@pytest.mark.parametrize("code", GUANGAN_DEPARTMENT_CODES)
def test_real_department_codes_are_valid_with_and_without_the_organisation_code_check(code: str):
    assert validate_credit_code(code) == code
    assert validate_credit_code(code, check_organisation_code=True) == code


def test_catalogue_lower_case_code_is_normalised():
    assert validate_credit_code(GUANGAN_LOWER_CASE_DEPARTMENT_CODE) == "11511301452259996U"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (GUANGAN_TOBACCO_ITEM_SEGMENT, "check_character"),
        (GUANGAN_TRUNCATED_DEPARTMENT_CODE, "format"),
        ("91350100M000100Y43 0", "format"),
        ("91350100M000I00Y43", "format"),  # I, O, S, V, Z are not in the character set
        ("91350100M000O00Y43", "format"),
        ("9135010OM000100Y4S", "format"),
        ("91350100M000100Y4V", "format"),
        ("91350100M000100Y42", "check_character"),
        ("", "format"),
    ],
)
def test_invalid_credit_codes_are_refused_without_echoing_the_code(value: str, reason: str):
    with pytest.raises(InvalidCreditCode) as caught:
        validate_credit_code(value)
    assert_rejected(caught.value, value, "invalid_credit_code", reason)


@pytest.mark.parametrize(
    "typed", [" 91350100m000100y43 ", "９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43\t"]
)
def test_credit_code_case_width_and_whitespace_are_normalised(typed: str):
    assert validate_credit_code(typed) == "91350100M000100Y43"


def test_organisation_code_check_is_opt_in():
    # Same mod-31-valid code with a wrong GB 11714 digit in position 17.
    first_16 = "91350100M000100Y"
    wrong_org_digit = "5" if organisation_code_check_character(first_16[8:]) != "5" else "6"
    code = first_16 + wrong_org_digit
    code += credit_code_check_character(code)
    assert validate_credit_code(code) == code
    with pytest.raises(InvalidCreditCode) as caught:
        validate_credit_code(code, check_organisation_code=True)
    assert_rejected(caught.value, code, "invalid_credit_code", "organisation_code")


def test_organisation_code_check_characters():
    assert organisation_code_check_character("M000100Y") == "4"
    assert organisation_code_check_character("MA62K026") == "0"
    assert organisation_code_check_character("74468656") == "X"


@given(body=st.text(alphabet=CREDIT_CODE_CHARACTERS, min_size=17, max_size=17))
@PROPERTY_SETTINGS
def test_exactly_one_credit_check_character_completes_a_random_body(body: str):
    accepted = []
    for check in CREDIT_CODE_CHARACTERS:
        try:
            accepted.append(validate_credit_code(body + check))
        except InvalidCreditCode:
            pass
    assert accepted == [body + credit_code_check_character(body)]
    assert validate_credit_code(accepted[0].lower()) == accepted[0]


@given(
    body=st.text(alphabet=CREDIT_CODE_CHARACTERS, min_size=17, max_size=17),
    position=st.integers(0, 17),
    replacement=st.sampled_from(CREDIT_CODE_CHARACTERS),
)
@PROPERTY_SETTINGS
def test_any_single_credit_code_character_change_is_refused(body: str, position: int, replacement: str):
    valid = body + credit_code_check_character(body)
    changed = valid[:position] + replacement + valid[position + 1:]
    if changed == valid:
        return
    with pytest.raises(InvalidCreditCode):
        validate_credit_code(changed)


# --- mobile numbers ---


@pytest.mark.parametrize(
    "typed",
    ["13812345678", " 13812345678 ", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "008613812345678",
     "１３８１２３４５６７８"],
)
def test_mobile_numbers_are_normalised(typed: str):
    assert validate_mobile(typed) == "13812345678"


@pytest.mark.parametrize(
    "value",
    ["", "12812345678", "1381234567", "138123456789", "23812345678", "1381234567a", "+85213812345678",
     "19912345678x"],
)
def test_invalid_mobile_numbers_are_refused_without_echoing_the_number(value: str):
    with pytest.raises(InvalidMobile) as caught:
        validate_mobile(value)
    assert caught.value.code == "invalid_mobile"
    assert caught.value.status == 422
    assert value.strip() == "" or value not in caught.value.message


@pytest.mark.parametrize("first_two", ["13", "14", "15", "16", "17", "18", "19"])
def test_every_mainland_mobile_prefix_is_accepted(first_two: str):
    assert validate_mobile(first_two + "012345678") == first_two + "012345678"


# --- masking ---


def test_masks():
    assert mask_citizen_id("11010519491231002X") == "1101**********002X"
    assert mask_citizen_id(" 440524188001010014 ") == "4405**********0014"
    assert mask_citizen_id("123") == "***"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("1381234") == "*******"
