"""Entry point of the embedded MongoDB child process: nx-27017 with one correction.

nx-27017 0.8 turns a datetime given to ``$set``/``$max``/``$min`` into a plain string (and refuses
bytes), because its SQL fast path hands the value to SQLite as a parameter; stored datetimes then
stop matching date queries. Its Python update path stores them correctly, so updates carrying such
values are sent down that path. Everything else keeps the fast path.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Any


def _carries_unsafe_scalar(update_spec: dict[str, Any]) -> bool:
    for operator in update_spec.values():
        if isinstance(operator, dict):
            for value in operator.values():
                if isinstance(value, datetime | date | bytes | bytearray):
                    return True
    return False


def _patch() -> None:
    from neosqlite.collection.query_helper import _sql_updates

    original = _sql_updates.SqlUpdatesMixin._can_use_sql_updates

    def can_use_sql_updates(self: Any, update_spec: dict[str, Any], doc_id: int,
                            original_doc: dict[str, Any] | None = None) -> bool:
        if _carries_unsafe_scalar(update_spec):
            return False
        return bool(original(self, update_spec, doc_id, original_doc))

    _sql_updates.SqlUpdatesMixin._can_use_sql_updates = can_use_sql_updates


def main() -> int:
    _patch()
    from nx_27017.nx_27017 import main as nx_main

    sys.argv[0] = "nx-27017"
    return int(nx_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
