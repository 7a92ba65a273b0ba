"""Plain factories for search tests. A guide's id is its name, so results read as names."""

from __future__ import annotations

from typing import Any

from cms.search import SearchDoc, SearchIndex, seed_synonyms

FILLER = (
    "建筑工程施工许可证核发",
    "公司设立登记",
    "个体工商户注销登记",
    "机动车驾驶员培训备案",
    "取水许可证新办审批",
    "林木采伐许可证核发",
    "失业保险金申领",
    "最低生活保障",
    "道路货物运输经营许可",
    "医师执业证书变更",
    "居民身份证办理（包括临时）",
    "补领结婚证",
    "结婚登记预约",
    "残疾人证新办",
    "残疾人证换领",
    "普通护照签发",
)


def make_doc(name: str, **fields: Any) -> SearchDoc:
    fields.setdefault("id", name)
    fields.setdefault("department", "区行政审批局")
    return SearchDoc(name=name, **fields)


def make_index(*docs: SearchDoc, seed: bool = True, **options: Any) -> SearchIndex:
    """An index over the docs plus unrelated guides from a real catalogue."""
    taken = {doc.id for doc in docs}
    filler = [make_doc(name) for name in FILLER if name not in taken]
    return SearchIndex([*filler, *docs], synonyms=seed_synonyms() if seed else None, **options)


def ids(index: SearchIndex, query: str, **options: Any) -> list[str]:
    return [hit.doc_id for hit in index.search(query, **options).hits]
