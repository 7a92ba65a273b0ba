from __future__ import annotations

from cms.search.models import Hit, SearchResult
from cms.search.service import SearchService


def test_a_result_is_rendered_once_while_the_index_hands_it_out() -> None:
    service = SearchService(refresh_seconds=1.0)
    rendered: list[SearchResult] = []

    def render(result: SearchResult) -> bytes:
        rendered.append(result)
        return f"{result.total}:{len(rendered)}".encode()

    popular = SearchResult(1, (Hit("g1", 1.0, {"name": "低保"}),))
    assert service.rendered(popular, render) == b"1:1"
    assert service.rendered(popular, render) == b"1:1"
    # After a write the index computes a new result, equal or not: it is rendered anew.
    recomputed = SearchResult(1, (Hit("g1", 1.0, {"name": "低保"}),))
    assert service.rendered(recomputed, render) == b"1:2"
    assert [id(result) for result in rendered] == [id(popular), id(recomputed)]
