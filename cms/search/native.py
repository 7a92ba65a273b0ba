"""The query path compiled to C with mypyc, used only while it matches the sources it was built from.

Compiling the typed modules below removes about a third of a query's time (python -m bench.search_speed,
p50 0.45 -> 0.31 ms on this project's 2-core machines). The compiled modules are an optional speed-up,
not a second implementation: they are built from these very files by ``python -m cms.search.compile``
(``make run`` and ``make test`` call it) into ``_compiled/``, which this package then searches first.

A build records a digest of its sources. When a source changed since, or the build is for another
Python, the package keeps to the plain modules: an edited ``.py`` file is never shadowed by a stale
build, and a machine without a C compiler simply runs slower.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

log = logging.getLogger("yiwang.search")

# Typed, synchronous, free of I/O: the modules a query runs through. (Handlers, service and repository
# wait on the network and gain nothing.)
COMPILED_MODULES = (
    "columns", "facets", "features", "field_values", "highlight", "index", "models", "normalize",
    "phonetics", "postings", "query", "ranking", "scoring", "suggest", "vocabulary",
)
PACKAGE_DIR = Path(__file__).resolve().parent
COMPILED_DIR_NAME = "_compiled"
STAMP_NAME = "SOURCES.sha256"


def source_digest(package_dir: Path, modules: tuple[str, ...] | list[str]) -> str:
    """What a build of ``modules`` depends on: their sources and the Python that loads the result."""
    digest = hashlib.sha256(f"{sys.implementation.cache_tag} {EXTENSION_SUFFIXES[0]}\n".encode())
    for module in modules:
        digest.update(module.encode() + b"\0")
        digest.update((package_dir / f"{module}.py").read_bytes())
    return digest.hexdigest()


def stamp_text(package_dir: Path, modules: tuple[str, ...] | list[str]) -> str:
    return " ".join([source_digest(package_dir, modules), *modules]) + "\n"


def current_build(package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The folder of a build that matches the sources in ``package_dir``, if there is one."""
    compiled = package_dir / COMPILED_DIR_NAME
    try:
        digest, *modules = (compiled / STAMP_NAME).read_text(encoding="utf-8").split()
    except (FileNotFoundError, ValueError):
        return None
    try:
        if source_digest(package_dir, modules) == digest:
            return compiled
    except FileNotFoundError:  # a compiled module's source was removed
        pass
    log.warning("search: the compiled modules are older than their sources; running the plain modules "
                "(python -m cms.search.compile rebuilds them)")
    return None


def use_current_build(package_path: list[str]) -> bool:
    """Put a matching build first on the package's search path; True when queries run compiled."""
    build = current_build()
    if build is None:
        return False
    package_path.insert(0, str(build))
    return True
