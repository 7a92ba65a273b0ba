"""Chinese identity codes: citizen ID numbers (GB 11643-1999), unified social credit codes (GB 32100-2015)
and mainland mobile numbers. Normalise what people type, validate it, mask it for display.

Error messages never contain the value itself: they are shown to clients and written to logs, and these
numbers are personal information.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from server.errors import Unprocessable

CHINA_TZ = timezone(timedelta(hours=8))

# GB 11643's own worked example (440524188001010014) was born in 1880. The floor therefore sits well before
# any living person instead of at a "plausible age": the check character, not the date range, catches typos.
EARLIEST_BIRTH_DATE = date(1800, 1, 1)

_CITIZEN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(18-i) mod 11
_CITIZEN_ID_CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)
_CITIZEN_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")

CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^(i-1) mod 31
_CREDIT_CODE_SHAPE = re.compile(f"[{CREDIT_CODE_CHARACTERS}]{{18}}")
_ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714

_MOBILE_SHAPE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_SEPARATORS = re.compile(r"[\s-]")
_MOBILE_COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086)")

# People paste numbers from Chinese documents and input methods: map full-width ASCII (U+FF01–U+FF5E,
# e.g. "１１０１…Ｘ") to its half-width form. Narrower than NFKC on purpose: "①" is not a digit here.
_FULL_TO_HALF_WIDTH = {code_point: code_point - 0xFEE0 for code_point in range(0xFF01, 0xFF5F)}


class InvalidCitizenId(Unprocessable):
    code = "invalid_id_number"
    default_message = "身份证号码无效"


class InvalidCreditCode(Unprocessable):
    code = "invalid_credit_code"
    default_message = "统一社会信用代码无效"


class InvalidMobile(Unprocessable):
    code = "invalid_mobile"
    default_message = "手机号码无效"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True, repr=False)
class CitizenId:
    """A checked citizen ID number. Its repr is masked so that it cannot leak into logs whole."""

    number: str
    birth_date: date
    sex: Sex

    @property
    def area_code(self) -> str:
        return self.number[:6]

    @property
    def masked(self) -> str:
        return mask_citizen_id(self.number)

    def __repr__(self) -> str:
        return f"CitizenId({self.masked})"


def citizen_id_check_character(first_17_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a citizen ID number."""
    if len(first_17_digits) != 17 or not first_17_digits.isascii() or not first_17_digits.isdigit():
        raise ValueError("expected 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, _CITIZEN_ID_WEIGHTS, strict=True))
    return _CITIZEN_ID_CHECK_CHARACTERS[total % 11]


def validate_citizen_id(value: str, *, today: date | None = None) -> CitizenId:
    """Check a citizen ID number and return it normalised (upper-case X, half-width, trimmed).

    ``today`` defaults to the current date in China; birth dates after it are refused.
    """
    number = _normalise(value).upper()
    if not _CITIZEN_ID_SHAPE.fullmatch(number):
        raise InvalidCitizenId("身份证号码应为18位，由数字和末位的X组成", reason="format")
    if number[0] == "0":
        raise InvalidCitizenId("身份证号码的地区码无效", reason="area_code")
    birth_date = _birth_date(number[6:14])
    latest = today or datetime.now(CHINA_TZ).date()
    if birth_date is None or not EARLIEST_BIRTH_DATE <= birth_date <= latest:
        raise InvalidCitizenId("身份证号码中的出生日期无效", reason="birth_date")
    if citizen_id_check_character(number[:17]) != number[17]:
        raise InvalidCitizenId("身份证号码校验位不正确，请核对", reason="check_character")
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return CitizenId(number=number, birth_date=birth_date, sex=sex)


def credit_code_check_character(first_17: str) -> str:
    """GB 32100 check character (mod 31) for the first 17 characters of a unified social credit code."""
    if len(first_17) != 17:
        raise ValueError("expected 17 characters")
    total = sum(_credit_value(char) * weight for char, weight in zip(first_17, _CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]


def organisation_code_check_character(first_8: str) -> str:
    """GB 11714 check character (mod 11) of an organisation code body; letters count A=10 … Z=35."""
    if len(first_8) != 8 or not first_8.isascii() or not first_8.isalnum() or first_8.upper() != first_8:
        raise ValueError("expected 8 ASCII digits or upper-case letters")
    total = sum(int(char, 36) * weight for char, weight in zip(first_8, _ORGANISATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_credit_code(value: str, *, check_organisation_code: bool = False) -> str:
    """Check a unified social credit code and return it normalised (upper-case, half-width, trimmed).

    ``check_organisation_code`` also checks the GB 11714 check digit of the embedded organisation code
    (characters 9–17). It is off by default: the mod-31 check already catches every single-character error,
    and a code issued outside GB 11714 would lock a legal person out; all 40 real codes in our test data
    pass it, so it is safe where the codes are known to come from registration authorities.
    """
    code = _normalise(value).upper()
    if not _CREDIT_CODE_SHAPE.fullmatch(code):
        raise InvalidCreditCode("统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）", reason="format")
    if credit_code_check_character(code[:17]) != code[17]:
        raise InvalidCreditCode("统一社会信用代码校验位不正确，请核对", reason="check_character")
    if check_organisation_code and organisation_code_check_character(code[8:16]) != code[16]:
        raise InvalidCreditCode("统一社会信用代码中的组织机构代码校验位不正确", reason="organisation_code")
    return code


def validate_mobile(value: str) -> str:
    """Check a mainland mobile number; spaces, hyphens and a +86/0086 prefix are accepted and removed."""
    number = _MOBILE_COUNTRY_PREFIX.sub("", _MOBILE_SEPARATORS.sub("", _normalise(value)))
    if not _MOBILE_SHAPE.fullmatch(number):
        raise InvalidMobile("手机号码应为11位中国大陆手机号")
    return number


def mask_citizen_id(number: str) -> str:
    """``11010519491231002X`` -> ``1101**********002X``. Anything too short to mask safely is fully starred."""
    number = number.strip()
    if len(number) < 12:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_mobile(number: str) -> str:
    """``13812345678`` -> ``138****5678``. Anything too short to mask safely is fully starred."""
    number = number.strip()
    if len(number) < 11:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def _normalise(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return value.translate(_FULL_TO_HALF_WIDTH).strip()


def _birth_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


def _credit_value(char: str) -> int:
    value = CREDIT_CODE_CHARACTERS.find(char)
    if value < 0:
        raise ValueError("not a credit-code character")
    return value
