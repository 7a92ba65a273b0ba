import numpy as np
import pytest

from cms.search.columns import Columns
from cms.search.facets import FacetMasks
from cms.search.features import text_features
from cms.search.field_values import FieldValues
from cms.search.normalize import fold
from cms.search.postings import Postings
from cms.search.query import QueryParser
from cms.search.ranking import RankedText
from cms.search.scoring import Scorer
from cms.search.vocabulary import default_vocabulary, parse_synonym_lines

NAMES = ["最低生活保障", "最低工资标准", "临时救助", "生活保障金发放"]


def scorer_for(names: list[str]) -> Scorer:
    postings = Postings(alias_weight=0.9)
    by_name: dict[str, list[int]] = {}
    for slot, name in enumerate(names):
        for feature in text_features(fold(name), sound=True):
            by_name.setdefault(feature, []).append(slot)
    postings.bulk_add(by_name, {})
    columns = Columns({"inverse_core_length": np.float64, "popularity": np.float64, "variants": np.int16})
    for slot, name in enumerate(names):
        columns.set(slot, {"inverse_core_length": 1 / len(name)})
    return Scorer(
        postings,
        FieldValues({"materials": 0.5}),
        columns,
        FacetMasks(),
        (),
        lambda slot: RankedText(names[slot], ()),
    )


def parse(query: str, *synonyms: str):
    parser = QueryParser(default_vocabulary(), parse_synonym_lines(synonyms), lambda bigram: False)
    return parser.parse(query)


def test_first_stage_takes_each_guides_best_alternative():
    scorer = scorer_for(NAMES)
    first = scorer.first_stage(parse("低保", "低保|最低生活保障"), len(NAMES), len(NAMES))
    assert first.text[0] == pytest.approx(0.9)  # the synonym whole, at its factor
    assert max(first.text[1:]) < 0.9  # one of the typed characters
    assert first.text[2] == 0.0
    first = scorer.first_stage(parse("最低生活保障"), len(NAMES), len(NAMES))
    assert first.text[0] == pytest.approx(1.0)
    assert 0 < first.text[3] < first.text[0]
    assert first.text[2] == 0.0


def test_second_stage_raises_an_abbreviation_and_lowers_scattered_ngrams():
    names = ["重度残疾人护理补贴", "残疾人护理", "护士执业注销注册"]
    scorer = scorer_for(names)
    candidates = np.arange(len(names))

    def both_stages(query: str, slot: int) -> tuple[float, float, float]:
        """(first-stage score, corrected score, segment's first-stage coverage) of one guide."""
        plan = parse(query)
        first = scorer.first_stage(plan, len(names), len(names))
        scores = scorer.combine(first, plan, candidates, len(names), 0.0)
        column = first.segments[0].scores
        assert column is not None
        text = [float(first.text[slot])]
        (corrected,) = scorer.second_stage([slot], [float(scores[slot])], text, [[float(column[slot])]], first, 3)
        return float(scores[slot]), corrected, float(column[slot])

    first_score, corrected, _ = both_stages("重残护理补贴", 0)
    assert corrected > first_score
    first_score, corrected, coverage = both_stages("执业注册", 2)
    assert coverage == pytest.approx(1.0)  # every n-gram is there...
    assert corrected < first_score  # ...but not in order
    first_score, corrected, _ = both_stages("残疾人护理", 1)
    assert corrected == first_score  # found as typed: nothing to correct
