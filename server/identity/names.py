"""Names people and organisations give: normalised for comparison, masked for display."""

from __future__ import annotations

import re
import unicodedata

from server.identity.errors import InvalidLegalPersonName, InvalidPersonName

# Han characters (with extension A), Latin letters for foreign or romanised names, and the middle dot
# of transliterated names (阿卜杜·热合曼), which people type in several look-alike forms.
_PERSON_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z·]+(?: [A-Za-z·]+)*")
_MIDDLE_DOTS = re.compile(r"[.\u2022\u2027\u30fb\u00b7\uff0e\u2219]")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_PERSON_NAME = 40
MAX_LEGAL_PERSON_NAME = 100


def validate_person_name(value: str) -> str:
    name = _SPACES.sub(" ", _MIDDLE_DOTS.sub("·", unicodedata.normalize("NFKC", value))).strip()
    if not name or len(name) > MAX_PERSON_NAME or not _PERSON_NAME.fullmatch(name) or name.strip("·") != name:
        raise InvalidPersonName("姓名应为1至40个汉字或字母")
    return name


def validate_legal_person_name(value: str) -> str:
    name = _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    if not name or len(name) > MAX_LEGAL_PERSON_NAME or _CONTROL.search(name):
        raise InvalidLegalPersonName("单位名称应为1至100个字符")
    return name


def mask_person_name(name: str) -> str:
    """张三 -> 张*, 张三丰 -> 张*丰, 欧阳娜娜 -> 欧**娜."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
