from cms.search.facets import FacetMasks, facet_pairs, facet_value


def mask(masks: FacetMasks, filters, size: int) -> list[bool]:
    found = masks.mask(filters, size)
    assert found is not None
    return found.tolist()


def test_values_compare_as_text():
    assert facet_value(True) == "true"
    assert facet_value(3) == "3"
    assert facet_pairs({"level": ["3", "4"], "online": False, "none": None}) == {
        ("level", "3"),
        ("level", "4"),
        ("online", "false"),
    }


def test_mask_is_any_of_within_a_key_and_all_across_keys():
    masks = FacetMasks()
    masks.set(0, facet_pairs({"level": 3, "theme": ["a", "b"]}), on=True)
    masks.set(1, facet_pairs({"level": 4, "theme": ["b"]}), on=True)
    masks.set(2, facet_pairs({"level": 4}), on=True)
    assert mask(masks, {"level": [3, 4], "theme": "b"}, 3) == [True, True, False]
    assert mask(masks, {"theme": "a"}, 3) == [True, False, False]
    assert masks.mask({"level": None, "theme": []}, 3) is None
    masks.set(1, facet_pairs({"level": 4, "theme": ["b"]}), on=False)
    assert mask(masks, {"theme": "b"}, 3) == [True, False, False]
