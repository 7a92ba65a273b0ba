"""The list of repository modules whose ``INDEXES`` are created at start-up."""

from __future__ import annotations

import importlib

from server.mongo.indexes import IndexSpec

# Each module named here defines ``INDEXES: list[IndexSpec]``.
REPOSITORY_MODULES: tuple[str, ...] = (
    "server.worker.repository",
    "server.calendar.repository",
    "server.staff.repository",
    "server.identity.repository",
    "server.sandbox.repository",
    "cms.content.repository",
    "cms.content.audit_repo",
    "cms.content.files_repo",
    "cms.content.counters_repo",
    "cms.catalog_lists.repository",
    "cms.search.repository",
    "server.cases.repository",
    "server.messages.repository",
    "server.open.repository",
    "server.sandbox.messages_repo",
    "uploads.my_materials_repo",
    "server.cases.file_journal_repo",
    "server.payments.repository",
    "server.sandbox.payments_repository",
)


def all_indexes() -> list[IndexSpec]:
    specs: list[IndexSpec] = []
    for name in REPOSITORY_MODULES:
        specs.extend(importlib.import_module(name).INDEXES)
    return specs
