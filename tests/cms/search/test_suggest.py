from tests.cms.search.factories import make_doc, make_index


def test_suggests_names_and_aliases_by_prefix_most_popular_first():
    index = make_index(
        make_doc("护照加注", popularity=10),
        make_doc("护照换发", popularity=5000),
        make_doc("出入境证件", aliases=["护照遗失补办"], popularity=100),
    )
    assert index.suggest("护照")[:3] == ["护照换发", "护照遗失补办", "护照加注"]


def test_suggests_by_pinyin_and_initials_prefix():
    index = make_index()
    assert index.suggest("jiehun")[0] in {"结婚登记预约", "补领结婚证"}
    assert "结婚登记预约" in index.suggest("jieh")
    assert index.suggest("jhdj")[0] == "结婚登记预约"
    assert index.suggest("JHDJ")[0] == "结婚登记预约"


def test_fills_up_with_names_that_contain_the_text():
    index = make_index()
    assert "补领结婚证" in index.suggest("结婚", limit=5)


def test_follows_upsert_and_remove_and_respects_the_limit():
    index = make_index()
    index.upsert(make_doc("养犬登记证核发", aliases=["狗证"]))
    assert index.suggest("狗")[0] == "狗证"
    index.remove("养犬登记证核发")
    assert "狗证" not in index.suggest("狗")
    assert len(index.suggest("证", limit=2)) <= 2
    assert index.suggest("证", limit=0) == []
    assert index.suggest("\ud800😀") == []
