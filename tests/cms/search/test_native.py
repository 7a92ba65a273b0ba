"""The compiled query path: used only while it matches its sources, and the plain modules still pass."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cms.search
import cms.search.index
from cms.search import compile as search_compile
from cms.search import native

PROJECT = Path(__file__).resolve().parents[3]
MODULES = ("alpha", "beta")


def _package(tmp_path: Path) -> Path:
    package = tmp_path / "pkg"
    package.mkdir()
    for module in MODULES:
        (package / f"{module}.py").write_text(f"NAME = {module!r}\n", encoding="utf-8")
    return package


def _built(package: Path, tmp_path: Path) -> Path:
    built = tmp_path / "built"
    built.mkdir(parents=True)
    files = [built / f"{module}.fake.so" for module in MODULES]
    for path in files:
        path.write_bytes(b"\x7fELF")
    return search_compile.install(package, MODULES, files)


def test_a_build_is_used_while_its_sources_are_unchanged(tmp_path: Path) -> None:
    package = _package(tmp_path)
    assert native.current_build(package) is None  # never built
    target = _built(package, tmp_path)
    assert target == package / native.COMPILED_DIR_NAME
    assert sorted(p.name for p in target.iterdir()) == ["SOURCES.sha256", "alpha.fake.so", "beta.fake.so"]
    assert native.current_build(package) == target


def test_an_edited_source_sets_the_build_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    package = _package(tmp_path)
    _built(package, tmp_path)
    with (package / "beta.py").open("a", encoding="utf-8") as source:
        source.write("# edited after the build\n")
    with caplog.at_level(logging.WARNING, logger="yiwang.search"):
        assert native.current_build(package) is None
    assert "older than their sources" in caplog.text


def test_a_build_for_another_python_or_a_removed_source_is_not_used(tmp_path: Path) -> None:
    package = _package(tmp_path)
    stamp = _built(package, tmp_path) / native.STAMP_NAME
    digest, *modules = stamp.read_text(encoding="utf-8").split()
    stamp.write_text(" ".join(["0" * len(digest), *modules]), encoding="utf-8")
    assert native.current_build(package) is None
    _built(package, tmp_path / "again")
    (package / "alpha.py").unlink()
    assert native.current_build(package) is None


def test_a_rebuild_replaces_the_previous_one_whole(tmp_path: Path) -> None:
    package = _package(tmp_path)
    target = _built(package, tmp_path)
    (target / "left-over.so").write_bytes(b"old")
    _built(package, tmp_path / "again")
    assert "left-over.so" not in {p.name for p in target.iterdir()}
    assert not (package / f"{native.COMPILED_DIR_NAME}.new").exists()


def test_this_checkout_searches_with_the_compiled_modules() -> None:
    # make run and make test build them; a failure here means that build failed or is out of date.
    assert cms.search.COMPILED, "run: python -m cms.search.compile"
    assert Path(cms.search.index.__file__).parent.name == native.COMPILED_DIR_NAME
    assert Path(cms.search.index.__file__).suffix == ".so"


@pytest.mark.slow
def test_the_search_tests_pass_on_the_plain_modules(tmp_path: Path) -> None:
    """The same code runs uncompiled where no C compiler is: the search tests must hold there too."""
    plain = tmp_path / "plain"
    shutil.copytree(PROJECT / "cms", plain / "cms",
                    ignore=shutil.ignore_patterns(f"{native.COMPILED_DIR_NAME}*", "__pycache__"))
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(plain)!r})\n"
        "import cms.search, cms.search.index, pytest\n"
        f"assert not cms.search.COMPILED and cms.search.index.__file__.startswith({str(plain)!r})\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'tests/cms/search',\n"
        "                      '--ignore', 'tests/cms/search/test_native.py']))\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True,
                              timeout=300, check=False)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    assert " passed" in finished.stdout
