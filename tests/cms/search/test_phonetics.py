from cms.search.phonetics import readings, split_pinyin


def test_readings_are_toneless_and_most_common_first():
    assert readings("证") == ("zheng",)
    assert readings("行")[:2] == ("xing", "hang")
    assert readings("绿")[0] == "lv"
    assert readings("a") == ()


def test_split_pinyin_prefers_whole_syllables():
    assert split_pinyin("shenfenzheng") == (("shen", True), ("fen", True), ("zheng", True))
    assert split_pinyin("xian") == (("xian", True),)
    assert split_pinyin("XuKeZheng") == (("xu", True), ("ke", True), ("zheng", True))


def test_split_pinyin_reads_initials_and_rejects_non_pinyin():
    assert split_pinyin("sfz") == (("s", False), ("f", False), ("z", False))
    assert split_pinyin("shenfenz") == (("shen", True), ("fen", True), ("z", False))
    assert split_pinyin("vvv") is None
    assert split_pinyin("123") is None
    assert split_pinyin("a" * 41) is None
