"""Declaring endpoints once: the route, its schemas and its authentication.

A handler method decorated with ``@endpoint(...)`` carries an ``Operation``. The same object validates
the request body and query (BaseHandler), enforces the declared authentication (BaseHandler.prepare)
and is what ``/openapi.json`` publishes, so the document cannot disagree with the code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from jsonschema import Draft202012Validator, validators

Schema = dict[str, Any]
F = TypeVar("F", bound=Callable[..., Any])

AUTH_KINDS = ("none", "citizen", "staff", "open", "provider")


@dataclass(frozen=True)
class Operation:
    summary: str
    tags: tuple[str, ...] = ()
    auth: str = "none"
    roles: tuple[str, ...] = ()
    request: Schema | None = None
    request_content_type: str = "application/json"
    query: Mapping[str, Schema] = field(default_factory=dict)
    required_query: tuple[str, ...] = ()
    responses: Mapping[int, Schema | None] = field(default_factory=dict)
    response_content_type: str = "application/json"
    errors: tuple[int, ...] = ()
    description: str = ""

    def request_validator(self) -> Draft202012Validator | None:
        return _validator(id(self.request), self.request) if self.request is not None else None


def _is_json_integer(_checker: Any, instance: Any) -> bool:
    # Draft 2020-12 calls 500.0 an integer, but orjson hands it over as a float, and a float must never
    # reach the domain (money is integer fen; counts and positions are ints too). A bool is never one.
    return isinstance(instance, int) and not isinstance(instance, bool)


# What request bodies are checked with: Draft 2020-12 with "integer" meaning a JSON integer literal.
RequestValidator = validators.extend(
    Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_json_integer))

_validators: dict[int, Draft202012Validator] = {}


def _validator(key: int, schema: Schema) -> Draft202012Validator:
    found = _validators.get(key)
    if found is None:
        Draft202012Validator.check_schema(schema)
        found = _validators[key] = RequestValidator(schema)
    return found


def endpoint(summary: str, *, tags: Sequence[str] = (), auth: str = "none", roles: Sequence[str] = (),
             request: Schema | None = None, request_content_type: str = "application/json",
             query: Mapping[str, Schema] | None = None, required_query: Sequence[str] = (),
             responses: Mapping[int, Schema | None] | None = None,
             response_content_type: str = "application/json",
             errors: Sequence[int] = (), description: str = "") -> Callable[[F], F]:
    if auth not in AUTH_KINDS:
        raise ValueError(f"unknown auth kind {auth!r}")

    def decorate(method: F) -> F:
        @functools.wraps(method)
        async def run(handler: Any, *args: Any, **kwargs: Any) -> None:
            # The body has arrived by now: auth that needs it, the query and the body are checked
            # against this very operation before the handler's own code runs.
            await handler.before_endpoint(op)
            await method(handler, *args, **kwargs)

        op = Operation(
            summary=summary, tags=tuple(tags), auth=auth, roles=tuple(roles), request=request,
            request_content_type=request_content_type, query=dict(query or {}),
            required_query=tuple(required_query), responses=dict(responses or {200: None}),
            response_content_type=response_content_type, errors=tuple(errors), description=description)
        run.__operation__ = op  # type: ignore[attr-defined]
        return cast(F, run)

    return decorate


def operation_of(handler_class: type, http_method: str) -> Operation | None:
    method = getattr(handler_class, http_method.lower(), None)
    return getattr(method, "__operation__", None)


_PARAM = re.compile(r"\{(\w+)(:path)?\}")


@dataclass(frozen=True)
class Route:
    """A URL template such as ``/mp/v1/guides/{guide_id}`` and its handler.

    ``{name}`` matches one path segment; ``{name:path}`` matches the rest of the path, slashes included.
    """

    template: str
    handler: type
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    documented: bool = True

    @property
    def regex(self) -> str:
        return _PARAM.sub(lambda m: f"(?P<{m.group(1)}>{'.+' if m.group(2) else '[^/]+'})",
                          self.template) + "$"

    @property
    def path_params(self) -> list[str]:
        return [m.group(1) for m in _PARAM.finditer(self.template)]

    @property
    def openapi_path(self) -> str:
        """The template as OpenAPI writes it: ``{name}`` whatever the parameter matches."""
        return _PARAM.sub(lambda m: "{" + m.group(1) + "}", self.template)


# Reusable schema pieces --------------------------------------------------------------------------

def obj(properties: Mapping[str, Schema], *, required: Sequence[str] = (), additional: bool = False,
        description: str = "") -> Schema:
    schema: Schema = {"type": "object", "properties": dict(properties), "additionalProperties": additional}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def string(**extra: Any) -> Schema:
    return {"type": "string", **extra}


def integer(**extra: Any) -> Schema:
    return {"type": "integer", **extra}


def number_schema(**extra: Any) -> Schema:
    return {"type": "number", **extra}


def boolean(**extra: Any) -> Schema:
    return {"type": "boolean", **extra}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


DATETIME = string(format="date-time")

ERROR_SCHEMA: Schema = obj({
    "error": obj({
        "code": string(description="Stable machine-readable error code."),
        "message": string(description="Human-readable message, safe to show to the user."),
    }, required=["code", "message"], additional=True),
}, required=["error"])

PAGE_QUERY: dict[str, Schema] = {
    "offset": integer(minimum=0, maximum=100000, default=0),
    "limit": integer(minimum=1, maximum=100, default=20),
}


def page_of(item: Schema) -> Schema:
    return obj({"items": array(item), "total": integer(minimum=0), "offset": integer(minimum=0),
                "limit": integer(minimum=1)}, required=["items", "total", "offset", "limit"])
