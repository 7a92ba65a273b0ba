"""Guides and queries for the search benchmarks: the demo catalogue, and a larger one of the same shape.

A city's real catalogue repeats most items once per county or district (same name, another
department), splits items into variants (新办/变更/注销/延续...), and gives them a handful of
materials from a common pool. The generated guides follow that shape, from the real names; a
fixed seed keeps every run the same.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import opencc

from cms.search import SearchDoc

DEMO_CATALOGUE = Path(__file__).resolve().parent.parent / "cms" / "demo_data" / "catalog_guangan.jsonl"

_COUNTIES = (
    "前锋区",
    "华蓥市",
    "岳池县",
    "武胜县",
    "邻水县",
    "顺庆区",
    "高坪区",
    "嘉陵区",
    "阆中市",
    "南部县",
    "营山县",
    "蓬安县",
    "仪陇县",
    "西充县",
    "通川区",
    "达川区",
    "宣汉县",
    "开江县",
    "大竹县",
    "渠县",
    "万源市",
    "巴州区",
    "恩阳区",
    "通江县",
    "南江县",
    "平昌县",
)
_VARIANTS = ("新办", "变更", "注销", "延续", "补办", "换证", "遗失补发", "备案", "年检")
_LEVEL_NOTES = ("（市级）", "（县级）", "（县级行使）", "（乡镇）", "（即办件）", "")
_MATERIALS = (
    "居民身份证",
    "户口簿",
    "营业执照",
    "申请表",
    "授权委托书",
    "受托人身份证明",
    "法定代表人身份证明",
    "结婚证",
    "离婚证",
    "不动产权证书",
    "房屋租赁合同",
    "场地使用证明",
    "公司章程",
    "股东会决议",
    "近期免冠照片",
    "健康证明",
    "学历证书",
    "职业资格证书",
    "劳动合同",
    "社会保障卡",
    "出生医学证明",
    "死亡医学证明",
    "村委会证明",
    "收入证明",
    "残疾人证",
    "机动车行驶证",
    "机动车驾驶证",
    "道路运输证",
    "从业资格证",
    "车辆登记证书",
    "安全生产管理制度",
    "消防验收意见书",
    "环境影响评价文件",
    "建设工程规划许可证",
    "施工图设计文件审查合格书",
    "竣工验收报告",
    "设备清单",
    "技术人员名单",
    "卫生管理制度",
    "食品安全管理制度",
    "从业人员健康证明",
    "平面布局图",
    "承诺书",
    "情况说明",
    "原证件",
    "遗失声明",
    "变更前后对照表",
    "年度报告",
    "财务报表",
    "纳税证明",
    "无犯罪记录证明",
    "医学诊断证明",
    "住院费用清单",
    "病历资料",
    "银行账户信息",
    "申请报告",
    "可行性研究报告",
    "项目备案证明",
    "土地使用证明",
)
_THEMES = (
    "婚育收养",
    "户籍办理",
    "社会保障",
    "就业创业",
    "教育科研",
    "医疗卫生",
    "住房保障",
    "交通出行",
    "证件办理",
    "设立变更",
    "准营准办",
    "税收财务",
    "民族宗教",
    "文化体育",
    "公共安全",
    "农林牧渔",
    "消费维权",
    "抵押质押",
    "司法公证",
    "死亡殡葬",
)
_TRAILING_VARIANT = re.compile("(" + "|".join(_VARIANTS) + ")$")


def load_catalogue(path: Path = DEMO_CATALOGUE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def catalogue_docs(rows: list[dict[str, str]]) -> list[SearchDoc]:
    """The raw catalogue as the index sees it: no aliases, materials or popularity (as published)."""
    return [
        SearchDoc(
            id=row["item_code"],
            name=row["name"],
            department=row["department"],
            item_type=row["task_type"],
            filters={"department": row["department_code"], "item_type": row["task_type"]},
        )
        for row in rows
    ]


def generated_docs(rows: list[dict[str, str]], count: int, seed: int = 7) -> list[SearchDoc]:
    rng = random.Random(seed)
    docs = []
    for number in range(count):
        row = rng.choice(rows)
        county = rng.choice(_COUNTIES)
        name = _vary_name(row["name"], rng, rows)
        department = row["department"].replace("广安区", county).replace("区", county[:-1], 1)
        docs.append(
            SearchDoc(
                id=f"gen-{number:06d}",
                name=name,
                aliases=_aliases(name, rng),
                department=department,
                themes=rng.sample(_THEMES, rng.choice((0, 1, 1, 2))),
                materials=rng.sample(_MATERIALS, rng.randint(2, 9)),
                item_type=row["task_type"],
                popularity=int(100_000 / (1 + rng.paretovariate(0.9) * 50)),
                filters={
                    "department": f"{row['department_code']}-{county}",
                    "item_type": row["task_type"],
                    "level": rng.choice((2, 3, 4, 4, 5)),
                    "service_object": rng.choice(("1", "2", "1|2")),
                    "online_depth": rng.randint(1, 4),
                    "visits": rng.choice((0, 0, 1, 1, 2)),
                    "payment_online": rng.random() < 0.3,
                },
            )
        )
    return docs


def _vary_name(name: str, rng: random.Random, rows: list[dict[str, str]]) -> str:
    roll = rng.random()
    if roll < 0.45:
        return name  # the same item in another county
    if roll < 0.7:
        base = _TRAILING_VARIANT.sub("", name)
        return base + rng.choice(_VARIANTS)
    if roll < 0.85:
        return name + rng.choice(_LEVEL_NOTES)
    # Another item's subject with this item's action, as new local items tend to read.
    other = rng.choice(rows)["name"]
    cut = max(2, len(other) * 2 // 3)
    return other[:cut] + name[len(name) * 2 // 3 :]


def _aliases(name: str, rng: random.Random) -> list[str]:
    if rng.random() < 0.7 or len(name) < 6:
        return []
    # Editors' aliases are mostly shortened names.
    short = name[:2] + name[-2:]
    return [short] if rng.random() < 0.5 else [short, name[: len(name) // 2]]


def speed_queries(docs: list[SearchDoc], count: int, seed: int = 11) -> list[str]:
    """Queries of 1..12 characters in the mix a search box sees."""
    rng = random.Random(seed)
    to_traditional = opencc.OpenCC("s2t")
    colloquial = ("低保", "营业执照", "身份证", "结婚证", "社保卡", "公积金", "驾照", "健康证", "户口", "护照")
    asks = ("怎么办", "需要什么材料", "多久", "在哪办", "", "")
    places = ("深圳", "广安", "成都", "北京")
    queries = []
    for _ in range(count):
        name = re.sub(r"[（）()、，《》]", "", rng.choice(docs).name)
        piece = _piece(name, rng)
        roll = rng.random()
        if roll < 0.45:
            query = piece
        elif roll < 0.55:
            query = name
        elif roll < 0.65:
            query = rng.choice(colloquial) + rng.choice(asks)
        elif roll < 0.72:
            query = _pinyin(piece[:4])
        elif roll < 0.77:
            query = "".join(syllable[0] for syllable in _pinyin(piece[:5], sep=" ").split())
        elif roll < 0.82:
            query = to_traditional.convert(piece)
        elif roll < 0.88:
            position = rng.randrange(len(piece))
            query = piece[:position] + rng.choice("的一是在不了有和人这中大为上个国我以要他") + piece[position + 1 :]
        elif roll < 0.93:
            query = rng.choice(name)
        else:
            query = rng.choice(places) + piece[:6]
        queries.append(query[:12] or name[:1])
    return queries


def _piece(name: str, rng: random.Random) -> str:
    length = min(len(name), rng.randint(2, 10))
    start = rng.randint(0, len(name) - length)
    return name[start : start + length]


def _pinyin(text: str, sep: str = "") -> str:
    from cms.search.phonetics import readings

    return sep.join(found[0] for found in map(readings, text) if found)


def eval_rows(path: Path) -> Iterator[tuple[str, list[str], bool]]:
    """(query, expected guide names, is_negative) from a TSV with query and expected_items columns."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        query_column, expected_column = header.index("query"), header.index("expected_items")
        for line in handle:
            if not line.strip():
                continue
            cells = line.rstrip("\n").split("\t")
            expected = cells[expected_column].strip() if expected_column < len(cells) else ""
            negative = expected.startswith("(") or expected.startswith("（")
            names = [] if negative else [name.strip() for name in expected.split("|") if name.strip()]
            yield cells[query_column], names, negative
