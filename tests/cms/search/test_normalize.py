from cms.search.normalize import fold, fold_chars, is_han, runs, strip_notes


def test_fold_makes_traditional_full_width_and_upper_case_text_comparable():
    assert fold("補領結婚證") == "补领结婚证"
    assert fold("ＳＦＺ　１２３") == "sfz 123"
    assert fold("居民身份證（臨時）") == "居民身份证 临时 "


def test_fold_drops_invisible_and_broken_characters_and_blanks_punctuation():
    assert fold("身\u200b份\u200d证\ufeff") == "身份证"
    assert fold("e\u0301") == "e"
    assert fold("\ud800证\udfff") == "证"
    assert fold("a\x00b\tc") == "a b c"
    assert fold("😀证") == " 证"


def test_fold_chars_lines_up_with_the_source():
    source = "身\u200b證Ａ"
    assert fold_chars(source) == ["身", "", "证", "a"]


def test_runs_split_han_from_other_letters_and_digits():
    assert list(runs(fold("4S店 etc证明"))) == [("4s", False), ("店", True), ("etc", False), ("证明", True)]


def test_strip_notes_and_is_han():
    assert strip_notes("代开增值税普通发票（县级行使）") == "代开增值税普通发票"
    assert strip_notes("食品(含保健食品)经营许可") == "食品经营许可"
    assert is_han("证")
    assert not is_han("z")
