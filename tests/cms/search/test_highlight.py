from cms.search.highlight import Marker, render
from cms.search.query import QueryParser
from cms.search.vocabulary import default_vocabulary, parse_synonym_lines


def marker(query: str, *synonyms: str) -> Marker:
    parser = QueryParser(default_vocabulary(), parse_synonym_lines(synonyms), lambda bigram: False)
    return Marker.for_plan(parser.parse(query))


def test_render_wraps_runs_and_escapes():
    assert render("a<b>c", bytearray([0, 1, 1, 1, 0])) == "a<em>&lt;b&gt;</em>c"
    assert render("xy", bytearray(2)) == "xy"


def test_marks_typed_pieces_and_whole_synonyms_only():
    assert marker("身份证办理").mark("居民身份证跨省办理") == "居民<em>身份证</em>跨省<em>办理</em>"
    found = marker("低保", "低保|最低生活保障")
    assert found.mark("最低生活保障") == "<em>最低生活保障</em>"
    assert found.mark("最低工资标准") is None


def test_marks_through_invisible_characters_and_by_sound():
    assert marker("护照").mark("护\u200b照签发") == "<em>护\u200b照</em>签发"
    assert marker("huzhao").mark("普通护照签发") == "普通<em>护照</em>签发"
    assert marker("hzqf").mark("普通护照签发") == "普通<em>护照签发</em>"
    assert marker("huzhao").mark("签发", sound=False) is None


def test_one_of_several_query_texts_found_as_written():
    found = marker("低保", "低保|最低生活保障")
    assert found.mark("城乡最低生活保障金") == "城乡<em>最低生活保障</em>金"
    assert found.mark("最低生活保障最低生活保障") == "<em>最低生活保障最低生活保障</em>"  # touching: one run
    assert found.mark("低保&最低生活保障") == "<em>低保</em>&amp;<em>最低生活保障</em>"
    assert found.mark("最低工资<标准>") is None
