"""Guide search: an in-process index over live guides (see index.py for the design)."""

from cms.search.index import SearchIndex
from cms.search.models import Hit, SearchDoc, SearchResult
from cms.search.vocabulary import SynonymRules, parse_synonym_lines, seed_synonyms

__all__ = ["Hit", "SearchDoc", "SearchIndex", "SearchResult", "SynonymRules", "parse_synonym_lines", "seed_synonyms"]
