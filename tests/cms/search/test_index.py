import time

import pytest

from cms.search import SearchIndex
from tests.cms.search.factories import ids, make_doc, make_index


def test_full_pinyin_and_initials_find_the_guide():
    index = make_index()
    assert ids(index, "shenfenzheng")[0] == "居民身份证办理（包括临时）"
    assert ids(index, "jiehundengji")[0] == "结婚登记预约"
    assert ids(index, "hzqf")[0] == "普通护照签发"
    assert ids(index, "jhdjyy")[0] == "结婚登记预约"


def test_traditional_characters_search_as_simplified():
    index = make_index(make_doc("護照簽發（繁體指南）", id="traditional-guide"))
    assert ids(index, "補領結婚證")[0] == "补领结婚证"
    assert set(ids(index, "护照签发")[:2]) == {"普通护照签发", "traditional-guide"}


def test_one_wrong_missing_or_extra_character_is_tolerated():
    index = make_index()
    assert ids(index, "残疾人正新办")[0] == "残疾人证新办"  # wrong (and no homophone)
    assert ids(index, "失业保险申领")[0] == "失业保险金申领"  # missing
    assert ids(index, "最低生活的保障")[0] == "最低生活保障"  # extra


def test_homophone_typo_is_tolerated():
    index = make_index()
    assert ids(index, "残急人证")[0] == "残疾人证新办"
    assert ids(index, "普通户照签发")[0] == "普通护照签发"


def test_alias_finds_the_guide_but_ranks_below_a_name_match():
    index = make_index(
        make_doc("企业开办一件事", aliases=["营业执照网上申请"]),
        make_doc("营业执照网上申请指引"),
    )
    assert ids(index, "营业执照网上申请")[:2] == ["营业执照网上申请指引", "企业开办一件事"]


def test_seed_synonyms_connect_everyday_and_official_words():
    index = make_index(make_doc("医保电子凭证申领"), make_doc("生育服务证办理"))
    assert ids(index, "医保码")[0] == "医保电子凭证申领"
    assert ids(index, "准生证")[0] == "生育服务证办理"
    assert ids(index, "低保")[0] == "最低生活保障"


def test_editor_synonyms_replace_the_seed_list_and_clear_cached_results():
    index = make_index(make_doc("城乡居民基本养老保险参保登记"), seed=False)
    assert "城乡居民基本养老保险参保登记" not in ids(index, "农保")
    index.set_synonyms([["农保", "城乡居民基本养老保险"]])
    assert ids(index, "农保")[0] == "城乡居民基本养老保险参保登记"
    index.set_synonyms([], one_way=[("新农保", ["城乡居民基本养老保险"])])
    assert ids(index, "新农保")[0] == "城乡居民基本养老保险参保登记"
    assert "城乡居民基本养老保险参保登记" not in ids(index, "农保")


def test_question_words_and_place_names_do_not_drown_the_meaningful_words():
    index = make_index(make_doc("深圳市民中心服务指南"), make_doc("怎么办理业务的一般说明"))
    assert ids(index, "护照怎么办")[0] == "普通护照签发"
    assert ids(index, "深圳护照需要什么材料")[0] == "普通护照签发"
    assert ids(index, "广安区办低保要多久")[0] == "最低生活保障"
    # Alone, a place or a question is what the citizen is looking for.
    assert ids(index, "深圳")[0] == "深圳市民中心服务指南"


def test_filters_by_equality_membership_and_any_of():
    docs = [
        make_doc("食品经营许可核发", filters={"level": 4, "themes": ["准营准办", "食品"], "online": True}),
        make_doc("食品经营许可变更", filters={"level": 3, "themes": ["准营准办"], "online": False}),
        make_doc("食品经营许可注销", filters={"level": 4, "themes": ["食品"], "online": False}),
    ]
    index = make_index(*docs)
    assert set(ids(index, "食品经营许可", filters={"level": 4})) == {"食品经营许可核发", "食品经营许可注销"}
    assert set(ids(index, "食品经营许可", filters={"level": "4", "themes": "准营准办"})) == {"食品经营许可核发"}
    assert set(ids(index, "食品经营许可", filters={"level": [3, 4], "online": False})) == {
        "食品经营许可变更",
        "食品经营许可注销",
    }
    assert set(ids(index, "食品经营许可", filters={"online": "true"})) == {"食品经营许可核发"}
    assert ids(index, "食品经营许可", filters={"level": 9}) == []
    unfiltered = set(ids(index, "食品经营许可", filters={"level": None, "themes": []}))
    assert {doc.id for doc in docs} <= unfiltered


def test_pagination_pages_through_all_matches_once():
    docs = [make_doc(f"第{number}类公共租赁住房申请") for number in range(25)]
    index = make_index(*docs)
    first = index.search("公共租赁住房", limit=10)
    pages = [hit.doc_id for offset in (0, 10, 20) for hit in index.search("公共租赁住房", offset=offset).hits]
    assert first.total == 25
    assert len(pages) == 25
    assert set(pages) == {doc.id for doc in docs}
    assert index.search("公共租赁住房", offset=30).hits == ()
    assert len(index.search("公共租赁住房", limit=1000).hits) == 25  # limit is capped at 100


def test_highlights_mark_matched_text_and_escape_html():
    index = make_index(
        make_doc("<b>居住证</b>办理", materials=["居民户口簿"]),
        make_doc("临时救助", materials=["居住证明材料"]),
    )
    hits = {hit.doc_id: hit.highlights for hit in index.search("居住证").hits}
    assert hits["<b>居住证</b>办理"]["name"] == "&lt;b&gt;<em>居住证</em>&lt;/b&gt;办理"
    assert "materials" not in hits["<b>居住证</b>办理"]
    assert hits["临时救助"] == {"name": "临时救助", "materials": "<em>居住证</em>明材料"}
    pinyin = index.search("hzqf").hits[0].highlights
    assert pinyin["name"] == "普通<em>护照签发</em>"


def test_upsert_and_remove_are_visible_at_once():
    index = make_index()
    assert "无犯罪记录证明开具" not in ids(index, "无犯罪记录证明")
    index.upsert(make_doc("无犯罪记录证明开具"))
    assert ids(index, "无犯罪记录证明")[0] == "无犯罪记录证明开具"
    index.upsert(make_doc("无犯罪记录证明（已更名）", id="无犯罪记录证明开具"))
    assert ids(index, "无犯罪记录证明")[0] == "无犯罪记录证明开具"
    assert index.search("无犯罪记录证明").hits[0].highlights["name"].endswith("（已更名）")
    assert index.remove("无犯罪记录证明开具") is True
    assert "无犯罪记录证明开具" not in ids(index, "无犯罪记录证明")
    assert index.remove("无犯罪记录证明开具") is False
    assert len(index) == len(make_index())


def test_name_beats_alias_beats_materials_beats_department():
    index = make_index(
        make_doc("宅基地审批", id="name"),
        make_doc("农村建房", id="alias", aliases=["宅基地审批"]),
        make_doc("村民住宅", id="materials", materials=["宅基地审批表"]),
        make_doc("用地咨询", id="department", department="宅基地审批科"),
    )
    assert ids(index, "宅基地审批") == ["name", "alias", "materials", "department"]


def test_popularity_breaks_ties_but_never_beats_a_clearly_better_text_match():
    index = make_index(
        make_doc("出生医学证明首次签发", id="exact", popularity=3),
        make_doc("出生医学证明首次签发（窗口）", id="tie", popularity=90_000),
        make_doc("出生登记", id="partial", popularity=10_000_000),
        make_doc("医学证明", id="department-only", department="出生医学证明签发科", popularity=10_000_000),
    )
    found = ids(index, "出生医学证明首次签发")
    assert found[:2] == ["tie", "exact"]  # near-equal text: popularity decides
    for weaker in ("partial", "department-only"):
        assert weaker not in found or found.index(weaker) > found.index("exact")


def test_a_variant_item_ranks_after_the_base_item_unless_asked_for():
    index = make_index()
    assert ids(index, "残疾人证")[0] == "残疾人证新办"
    assert ids(index, "残疾人证换领")[0] == "残疾人证换领"


@pytest.mark.parametrize(
    "query",
    [
        "居民身份证" * 40,
        "".join(chr(0x4E00 + (number * 7919) % 20000) for number in range(200)),
        "😀🎉👍🏽" * 50,
        "e\u0301\u0302\u0303" * 50,
        "身\u200b份\u200d证\ufeff",
        "\x00\x01\x1b[31m\x7f结婚证",
        "\ud800身份证\udfff\udbff",
        "ｓｈｅｎｆｅｎｚｈｅｎｇ",
        "(" * 200,
        "%s%n{}<script>",
        " \t\n",
        "",
    ],
)
def test_long_and_odd_queries_answer_quickly_without_error(query):
    index = make_index()
    index.search(query)  # first call loads lazy tables
    started = time.perf_counter()
    result = index.search(query, offset=5, limit=7)
    assert time.perf_counter() - started < 0.05
    assert result.total >= len(result.hits)


def test_invisible_characters_do_not_split_a_word():
    index = make_index()
    assert ids(index, "身\u200b份\u200d证")[0] == "居民身份证办理（包括临时）"


def test_results_are_cached_until_the_next_write():
    index = make_index()
    first = index.search("护照")
    assert index.search("护照") is first
    index.upsert(make_doc("护照加急说明"))
    assert index.search("护照") is not first
    uncached = make_index(cache_size=0)
    assert uncached.search("护照") is not uncached.search("护照")


def test_a_query_for_nothing_in_the_catalogue_finds_nothing():
    index = make_index()
    assert index.search("天气预报").hits == ()
    assert index.search("😀").total == 0


def test_an_empty_index_answers():
    assert SearchIndex().search("护照").total == 0
    assert SearchIndex().suggest("hu") == []


def test_a_guide_listed_twice_in_one_build_counts_once():
    twice = make_doc("出入境通行证签注")
    index = make_index(twice, make_doc("出入境通行证签注", department="区公安分局"))
    result = index.search("出入境通行证签注")
    assert result.total == 1
    assert result.hits[0].score < 1.1  # not the sum of two copies


def test_an_index_kept_current_by_writes_answers_like_a_fresh_one():
    later = [
        make_doc("目的地签证材料翻译", id="later-1"),
        make_doc("目的地签证预约", id="later-2"),
        make_doc("低保金发放", id="later-3", aliases=["最低生活保障金"]),
        make_doc("补领结婚证", id="later-4", popularity=50),
    ]
    gone = make_doc("护照加急办理", id="gone")
    queries = ["目的地", "目的地签证", "低保", "护照", "补领结婚证", "shenfenzheng", "hzqf", "结婚证丢了怎么补"]
    index = make_index(gone)
    for query in queries:  # fills the per-query caches with answers from before the writes
        index.search(query)
    for doc in later:
        index.upsert(doc)
    index.remove("gone")
    fresh = make_index(*later)
    for query in queries:
        kept = [(hit.doc_id, hit.score, hit.highlights) for hit in index.search(query, limit=20).hits]
        assert kept == [(hit.doc_id, hit.score, hit.highlights) for hit in fresh.search(query, limit=20).hits]


def test_queries_differing_only_in_question_words_rank_and_mark_alike():
    index = make_index(cache_size=0)
    plain = index.search("护照")
    asked = index.search("护照怎么办")
    assert [(hit.doc_id, hit.score, hit.highlights) for hit in asked.hits] == [
        (hit.doc_id, hit.score, hit.highlights) for hit in plain.hits
    ]
