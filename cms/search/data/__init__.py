"""Word lists shipped with the search engine (a package so the files install with it)."""
