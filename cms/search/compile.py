"""Build the compiled query path: ``python -m cms.search.compile`` (see native.py for why).

Quick when the current build still matches its sources. Needs mypy (the ``compile`` extra) and a C
compiler; without them it says so and exits 1, and search runs on the plain modules.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from cms.search import native

# The shared library mypyc builds next to the per-module ones; inside this package, so that the one
# folder on the package's search path holds the whole build.
GROUP_NAME = "cms.search.compiled"


def build(package_dir: Path, modules: tuple[str, ...], work_dir: Path) -> list[Path]:
    """Compile ``modules`` into extension files under ``work_dir``; returns the files built."""
    from mypyc.build import mypycify
    from setuptools import Distribution

    project_dir = package_dir.parents[1]
    previous = Path.cwd()
    os.chdir(project_dir)  # mypyc names modules by their paths from here
    try:
        extensions = mypycify([str((package_dir / f"{module}.py").relative_to(project_dir)) for module in modules],
                              opt_level="3", group_name=GROUP_NAME, target_dir=str(work_dir / "c"))
        distribution = Distribution({"name": "yiwang-search-compiled", "ext_modules": extensions,
                                     "script_name": "cms/search/compile.py"})
        command = distribution.get_command_obj("build_ext")
        command.build_lib = str(work_dir / "lib")
        command.build_temp = str(work_dir / "temp")
        command.parallel = os.cpu_count() or 1
        distribution.run_command("build_ext")
    finally:
        os.chdir(previous)
    return sorted((work_dir / "lib").rglob("*.so"))


def install(package_dir: Path, modules: tuple[str, ...], built: list[Path]) -> Path:
    """Replace ``_compiled/`` with ``built`` and a stamp of the sources they came from."""
    target = package_dir / native.COMPILED_DIR_NAME
    staging = package_dir / f"{native.COMPILED_DIR_NAME}.new"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for path in built:
        shutil.copy2(path, staging / path.name)
    # Digest of the sources as they are now: an edit made during the build makes the stamp stale.
    (staging / native.STAMP_NAME).write_text(native.stamp_text(package_dir, modules), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--force", action="store_true", help="rebuild even if the build is current")
    options = parser.parse_args(argv)
    package_dir, modules = native.PACKAGE_DIR, native.COMPILED_MODULES
    current = native.current_build(package_dir)
    if current is not None and not options.force and (current / native.STAMP_NAME).read_text(
            encoding="utf-8") == native.stamp_text(package_dir, modules):
        print(f"search: compiled build in {current} is current")
        return 0
    try:
        with tempfile.TemporaryDirectory(prefix="yiwang-search-build-") as work:
            built = build(package_dir, modules, Path(work))
            target = install(package_dir, modules, built)
    except ImportError as exc:
        print(f"search: cannot compile ({exc}); install the 'compile' extra. Search runs uncompiled.",
              file=sys.stderr)
        return 1
    except (Exception, SystemExit) as exc:  # no compiler, a type error: the plain modules still work
        print(f"search: compiling failed ({type(exc).__name__}: {exc}). Search runs uncompiled.", file=sys.stderr)
        return 1
    print(f"search: compiled {len(modules)} modules into {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
