"""Storing and deleting the objects of a case's files (material pages, joint step files, archive manifests) so
that none is left behind unnoticed: each file is in the journal (file_journal_repo.py) from before its objects
are stored until it is recorded in its case or its objects are gone; orphan_files.py sweeps the rest.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from server.cases import file_journal_repo as journal

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.cases.files")


async def note_file(deps: Deps, file_id: str, case_id: str, place: dict[str, str], keys: list[str]) -> None:
    """Before storing: the objects may become garbage from here on."""
    await journal.note_file_objects(deps.db, file_id, case_id, place, keys, deps.clock.now())


async def file_settled(deps: Deps, file_id: str) -> None:
    """The file is recorded in its case, or its objects are gone: nothing left for the sweep."""
    try:
        await journal.forget_file_objects(deps.db, file_id)
    except Exception:
        # Harmless: the sweep finds the file in its case (or its objects gone) and drops the entry then.
        log.warning("could not clear the journal entry of file %s", file_id, exc_info=True)


async def discard_file(deps: Deps, file_id: str, case_id: str, place: dict[str, str], keys: list[str]) -> None:
    """Delete a file's objects. What cannot be deleted now stays in the journal, and the sweep deletes it
    later: an orphan costs space, not correctness."""
    try:
        for key in keys:
            await deps.store.delete(key)
    except Exception:
        log.warning("could not delete the objects of discarded file %s; the sweep will", file_id, exc_info=True)
        await journal.note_file_objects(deps.db, file_id, case_id, place, keys, deps.clock.now())
        return
    await file_settled(deps, file_id)
