from cms.search.ranking import RankedText, abbreviation_quality, contains_with_one_edit, phrase_quality


def test_abbreviation_quality_falls_as_the_characters_spread():
    assert abbreviation_quality("重残", "重度残疾人护理补贴") > abbreviation_quality("重补", "重度残疾人护理补贴")
    assert abbreviation_quality("护理", "重度残疾人护理补贴") == 1.0
    assert abbreviation_quality("补护", "重度残疾人护理补贴") == 0.0


def test_contains_with_one_edit():
    assert contains_with_one_edit("残疾人正", "残疾人证新办")  # replaced
    assert contains_with_one_edit("残疾证新办", "残疾人证新办")  # missing
    assert contains_with_one_edit("残疾人人证", "残疾人证新办")  # extra, 4+ characters
    assert not contains_with_one_edit("护照签", "残疾人证新办")
    assert not contains_with_one_edit("残病人正", "残疾人证新办")  # two edits


def test_phrase_quality_prefers_name_over_alias_over_abbreviation():
    ranked = RankedText(name="教师资格认定", aliases=("教资认定",))
    assert phrase_quality("教师资格", ranked) == 1.0
    assert phrase_quality("教资认定", ranked) == 0.9
    assert 0.5 < phrase_quality("教资", RankedText(name="教师资格认定", aliases=())) < 0.9
