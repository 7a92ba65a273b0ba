"""What a content type tells the engine: its schema, its key, its own checks and its delivery form."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from cms.content.validation import Problem
from server.http.api import Schema

if TYPE_CHECKING:
    from server.deps import Deps

# Modules defining ``SPEC``, one per content type (the scheduler and the audit log serve them all).
TYPE_MODULES: tuple[str, ...] = ("cms.guides.spec", "cms.notices.spec")


@dataclass(frozen=True)
class Prepared:
    content: dict[str, Any]
    type_state: dict[str, Any]  # what the type keeps on the item across revisions (e.g. issued slot ids)
    problems: list[Problem]


@dataclass(frozen=True)
class ListFilter:
    """A filter of the staff list: ``?<name>=v`` keeps the items whose draft's ``value`` is v (or a list
    holding v). The values are stored on the item (``list_facets``) when a draft is saved, because the
    draft itself lives in its revision document."""

    name: str
    schema: Schema  # of the query parameter: a value it refuses is a 400 invalid_parameter
    value: Callable[[dict[str, Any]], Any]


class ContentType(Protocol):
    @property
    def kind(self) -> str:
        """Stored on items and audit entries: "guide", "notice"."""
        ...

    @property
    def label(self) -> str:
        """Class-name prefix of the type's handlers: "Guide"."""
        ...

    @property
    def schema(self) -> Schema:
        """JSON schema of the editable content."""
        ...

    @property
    def enum_labels(self) -> dict[str, dict[str, str]]:
        """Display labels of coded values by dotted field path (``materials.medium``), for the console."""
        ...

    @property
    def delivery_order(self) -> tuple[tuple[str, int], ...]:
        """Sort of delivery lists, over item fields (``facets.<name>``, ``published_at``)."""
        ...

    @property
    def list_filters(self) -> tuple[ListFilter, ...]:
        """Filters of the staff list besides title, key, state and live."""
        ...

    def title(self, content: dict[str, Any]) -> str: ...

    def key(self, content: dict[str, Any], item_id: str) -> str:
        """Unique among items of the type (guides: the implementation code)."""
        ...

    def key_taken(self, key: str) -> Exception:
        """The error for a key another item already has."""
        ...

    def key_fixed(self, key: str) -> Exception:
        """The error for a draft that changes a key which may no longer change (``actions.key_is_fixed``)."""
        ...

    def file_refs(self, content: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(JSON pointer, file reference) for every file the content refers to; the refs are mutable."""
        ...

    async def prepare(self, deps: Deps, content: dict[str, Any], type_state: dict[str, Any]) -> Prepared:
        """Normalise schema-valid content (defaults, ids) and check what the schema cannot."""
        ...

    def missing_for_publish(self, content: dict[str, Any]) -> list[str]: ...

    def render(self, content: dict[str, Any]) -> dict[str, Any]:
        """The delivery form: text rendered to sanitised HTML, file references kept (signed at delivery)."""
        ...

    def summary(self, content: dict[str, Any]) -> dict[str, Any]:
        """The few fields delivery lists show."""
        ...

    def facets(self, content: dict[str, Any]) -> dict[str, Any]:
        """Values delivery lists filter and sort on."""
        ...


def list_facets(spec: ContentType, content: dict[str, Any]) -> dict[str, Any]:
    """What the item keeps of its draft for ``spec.list_filters``."""
    return {list_filter.name: list_filter.value(content) for list_filter in spec.list_filters}


def content_types() -> dict[str, ContentType]:
    types: dict[str, ContentType] = {}
    for name in TYPE_MODULES:
        spec: ContentType = importlib.import_module(name).SPEC
        types[spec.kind] = spec
    return types


def spec_for(kind: str) -> ContentType:
    return content_types()[kind]
