"""Guide search: an in-process index over live guides (see index.py for the design)."""

from cms.search import native

# Before anything below is imported: a matching compiled build of the query path takes precedence.
COMPILED = native.use_current_build(__path__)

from cms.search.index import SearchIndex  # noqa: E402
from cms.search.models import Hit, SearchDoc, SearchResult  # noqa: E402
from cms.search.vocabulary import SynonymRules, parse_synonym_lines, seed_synonyms  # noqa: E402

__all__ = ["COMPILED", "Hit", "SearchDoc", "SearchIndex", "SearchResult", "SynonymRules", "parse_synonym_lines",
           "seed_synonyms"]
