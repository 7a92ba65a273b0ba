"""``python -m server import-guides FILE``: load a catalogue or guide file into the CMS.

Every bad row is printed with its line number; the good rows are imported all the same. Exit status:
0 all rows imported, 1 some rows failed, 2 the file could not be read at all.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import orjson

from cms.importing.columns import map_row
from cms.importing.errors import InvalidImportDefault
from cms.importing.importer import import_source
from cms.importing.report import ImportReport
from cms.importing.sources import FORMATS, read_source
from server.errors import AppError
from server.runtime import open_runtime
from server.settings import Settings


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    command = subparsers.add_parser(
        "import-guides", help="import guides from a JSON-lines, CSV or XLSX catalogue (re-import updates)",
        description="Import guides keyed by implementation code: new codes are created, changed guides get a new "
                    "revision, unchanged ones are left alone. Bad rows are reported with their line number "
                    "and skipped; the exit status is 1 if any row failed.")
    command.add_argument("file", type=Path, metavar="FILE")
    command.add_argument("--format", choices=FORMATS, help="default: from the file name's extension")
    publishing = command.add_mutually_exclusive_group()
    publishing.add_argument("--publish", dest="publish", action="store_true",
                            help="publish every imported guide at once")
    publishing.add_argument("--draft", dest="publish", action="store_false",
                            help="save as drafts for review (default)")
    command.add_argument("--default", dest="defaults", action="append", default=[], metavar="FIELD=VALUE",
                         help="value for rows that leave FIELD out, written as in a cell (e.g. 行使层级=县级, "
                              "online_depth=1); repeatable")
    command.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    command.add_argument("--json", action="store_true", help="print the report as one JSON object")
    command.set_defaults(handler=run, publish=False)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        report = asyncio.run(_import(settings, args))
    except AppError as exc:
        print(f"yiwang import-guides: {exc.message} ({exc.code})", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(orjson.dumps(report.to_dict()).decode() + "\n")
    else:
        print_report(report)
    return 0 if report.ok else 1


async def _import(settings: Settings, args: argparse.Namespace) -> ImportReport:
    defaults = parse_defaults(args.defaults)
    # An unreadable file is refused before a database is opened (or an embedded one started).
    source = await asyncio.to_thread(read_source, args.file, args.format)
    runtime = await open_runtime(settings)
    try:
        return await import_source(runtime.deps, source, name=str(args.file), publish=args.publish,
                                   dry_run=args.dry_run, defaults=defaults)
    finally:
        await runtime.close()


def parse_defaults(items: list[str]) -> dict[str, Any]:
    """``["行使层级=县级", "online_depth=1"]`` -> guide fields, read exactly as cells of those columns."""
    cells = {}
    for item in items:
        name, separator, value = item.partition("=")
        if not separator or not name.strip():
            raise InvalidImportDefault(f"--default {item}: 应写作 字段=值")
        cells[name.strip()] = value.strip()
    row = map_row(cells)
    if row.ignored:
        raise InvalidImportDefault(f"--default: 不认识的字段 {'、'.join(row.ignored)}")
    if row.problems:
        raise InvalidImportDefault("--default: " + "; ".join(f"{p.column}: {p.message}" for p in row.problems))
    return row.guide


def print_report(report: ImportReport) -> None:
    encoding = f", {report.encoding}" if report.encoding else ""
    print(f"{report.file} ({report.format}{encoding})")
    if report.ignored_columns:
        print("忽略的列: " + "、".join(report.ignored_columns))
    for problem in report.sorted_problems():
        print(problem.describe())
    print(f"{report.summary()}，用时 {report.seconds:.1f} 秒")
