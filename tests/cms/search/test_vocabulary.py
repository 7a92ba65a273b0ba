from cms.search.vocabulary import SynonymRules, default_vocabulary, parse_synonym_lines, seed_synonyms


def test_parses_symmetric_groups_one_way_rules_and_comments():
    rules = parse_synonym_lines(["# comment", "", "低保|最低生活保障 # tail comment", "丢了 => 补领|挂失", "證書|证件"])
    assert rules.expansions["低保"] == ("最低生活保障",)
    assert rules.expansions["最低生活保障"] == ("低保",)
    assert rules.expansions["丢了"] == ("补领", "挂失")
    assert "补领" not in rules.expansions
    assert rules.expansions["证书"] == ("证件",)


def test_groups_ignore_blank_words_and_duplicates():
    rules = SynonymRules.from_groups([["A证", " ", "a证", "B证"]])
    assert rules.expansions == {"a证": ("b证",), "b证": ("a证",)}


def test_seed_lists_load():
    assert "设立登记" in seed_synonyms().expansions["营业执照"]
    vocabulary = default_vocabulary()
    assert {"怎么办", "需要什么材料", "多久"} <= vocabulary.stop
    assert {"深圳", "深圳市", "广安区", "四川省"} <= vocabulary.places
    assert "注销" in vocabulary.variant_actions
