from cms.search.query import PLACE_FACTOR, WEAK_FACTOR, QueryParser
from cms.search.vocabulary import default_vocabulary, parse_synonym_lines

KNOWN_BIGRAMS = {"目的", "土地", "护照"}


def parser(*synonyms: str) -> QueryParser:
    return QueryParser(default_vocabulary(), parse_synonym_lines(synonyms), KNOWN_BIGRAMS.__contains__)


def sources(query: str, *synonyms: str) -> list[tuple[str, float]]:
    return [(segment.source, segment.factor) for segment in parser(*synonyms).parse(query).segments]


def test_question_words_are_dropped_and_places_and_weak_words_kept_light():
    assert sources("护照怎么办") == [("护照", 1.0)]
    assert sources("深圳护照需要什么材料") == [("深圳", PLACE_FACTOR), ("护照", 1.0)]
    assert sources("网上申请护照") == [("网上", WEAK_FACTOR), ("申请", WEAK_FACTOR), ("护照", 1.0)]


def test_a_query_of_only_listed_words_is_searched_as_typed():
    assert sources("深圳") == [("深圳", 1.0)]
    assert sources("怎么办") == [("怎么办", 1.0)]


def test_a_listed_word_inside_a_word_the_guides_use_is_not_cut_out():
    assert sources("目的地") == [("目的地", 1.0)]
    assert sources("的护照") == [("护照", 1.0)]


def test_synonyms_become_one_alternative_of_their_segment():
    plan = parser("低保|最低生活保障|低保户").parse("低保申请")
    first = plan.segments[0]
    assert first.source == "低保"
    synonyms = [alternative for alternative in first.alternatives if alternative.groups]
    assert len(synonyms) == 1
    assert synonyms[0].synonyms == ("最低生活保障",)  # 低保户 contains 低保 whole: nothing new
    assert "最低生活保障" in plan.texts
    assert "最低生活保障" not in plan.typed


def test_latin_letters_become_word_pinyin_and_initials_alternatives():
    plan = parser().parse("shenfenzheng sfz")
    full, initials = plan.segments
    assert [alternative.factor for alternative in full.alternatives] == [1.0, 0.95, 0.85]
    assert full.alternatives[1].syllables == ("shen", "fen", "zheng")
    assert initials.alternatives[-1].initials == "sfz"
    assert plan.syllables == ("shen", "fen", "zheng")


def test_long_and_empty_queries_are_bounded():
    assert parser().parse("😀 \u200b").empty
    plan = parser().parse("护照签发" * 50)
    assert sum(len(segment.source) for segment in plan.segments) <= 32
