"""Legal persons (enterprises, organisations) a real-name citizen acts for, by unified social credit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.identity import repository
from server.identity.citizens import resolve_citizen
from server.identity.codes import validate_credit_code
from server.identity.errors import RealNameRequired
from server.identity.models import LegalPerson
from server.identity.names import validate_legal_person_name

if TYPE_CHECKING:
    from server.deps import Deps


async def bind_legal_person(deps: Deps, citizen_id: str, *, credit_code: str, name: str) -> tuple[LegalPerson, bool]:
    """(the binding, whether it is new). Binding the same code again returns the existing one.

    Only a real-name citizen may act for a legal person (``RealNameRequired``, 403).
    """
    code = validate_credit_code(credit_code)
    organisation = validate_legal_person_name(name)
    citizen = await resolve_citizen(deps.db, citizen_id)
    if citizen.real_name is None:
        raise RealNameRequired()
    return await repository.insert_legal_person_or_get_existing(deps.db, LegalPerson(
        id=repository.new_id(), citizen_id=citizen.id, credit_code=code, name=organisation,
        bound_at=deps.clock.now()))


async def list_legal_persons(deps: Deps, citizen_id: str) -> list[LegalPerson]:
    citizen = await resolve_citizen(deps.db, citizen_id)
    return await repository.legal_persons_of(deps.db, citizen.id)
