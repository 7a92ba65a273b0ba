import numpy as np
import pytest

from cms.search.postings import Postings


def test_coverage_sums_feature_weights_with_aliases_discounted():
    postings = Postings(alias_weight=0.5)
    postings.bulk_add({"护照": [0, 1], "签发": [0]}, {"签发": [2]})
    coverage = postings.coverage(["护照", "签发"], [0.6, 0.4], size=4)
    assert coverage is not None
    assert coverage.tolist() == pytest.approx([1.0, 0.6, 0.2, 0.0])
    assert postings.frequency("签发") == 2
    assert postings.in_names("签发") == 1


def test_add_and_remove_one_guide():
    postings = Postings(alias_weight=0.5)
    postings.add(3, {"护照"}, {"签发"})
    postings.add(4, {"护照"}, set())
    postings.remove(3, {"护照"}, {"签发"})
    assert postings.frequency("护照") == 1
    assert postings.frequency("签发") == 0
    assert postings.coverage(["签发"], [1.0], size=5) is None


def test_count_full_agrees_with_counting_every_guide():
    postings = Postings(alias_weight=0.9)
    postings.bulk_add(
        {"护照": [0, 1, 2, 3], "签发": [0, 2, 4], "护": [0, 1, 2, 3, 5], "照": [0, 1, 2, 3]},
        {"签发": [1], "照": [5]},
    )
    cases = [
        (["护照", "签发"], [0.6, 0.4]),
        (["护", "照", "护照"], [0.25, 0.25, 0.5]),
        (["护照", "签发", "办理"], [0.5, 0.3, 0.2]),  # no guide has 办理
        (["护照", "签发"], [0.995, 0.005]),  # 签发 too light to matter
    ]
    for features, weights in cases:
        coverage = postings.coverage(features, weights, size=6)
        assert coverage is not None
        expected = int(np.count_nonzero(coverage >= 0.999))
        assert postings.count_full(features, weights, coverage, 0.999) == expected
