from cms.content.delivery import etag_matches, weak_etag


def test_weak_etag_depends_on_every_part() -> None:
    assert weak_etag("guides", 1, 2) == weak_etag("guides", 1, 2)
    assert weak_etag("guides", 1, 2) != weak_etag("guides", 2, 2)
    assert weak_etag("guides", 1, 2).startswith('W/"')


def test_if_none_match_uses_weak_comparison_and_lists() -> None:
    etag = weak_etag("x")
    assert etag_matches(etag, etag)
    assert etag_matches(etag.removeprefix("W/"), etag)
    assert etag_matches(f'"other", {etag}', etag)
    assert etag_matches("*", etag)
    assert not etag_matches('"other"', etag)
    assert not etag_matches(None, etag)
