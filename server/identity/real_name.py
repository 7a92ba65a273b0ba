"""Real-name binding of natural persons: one ID number, one citizen, whichever channel binds it.

The ID number's blind index is claimed in ``citizen_id_claims`` (unique by key) before the citizen is
touched, so two bindings of one number can never both win, without transactions. Order of writes:

1. claim the number for this citizen;
2. write ``real_name`` on the citizen (only if it has none);
3. release any other claim this citizen holds (abandoned attempts).

If the number is held by another citizen with the same name, this (unbound) citizen is merged into it:

1. mark this citizen merged into the holder (only if it is still unbound);
2. re-point its identities, then its sessions, to the holder; release its claims;
3. finish the holder's binding if a crash had left it half done.

A crash after any step leaves a state from which the same request, retried, finishes the job: a claim
held by this very citizen is resumed, a claim whose holder is bound to another number (or gone, or
abandoned for ``PENDING_CLAIM_SECONDS``) is taken over, and a merged citizen is completed by whoever
meets it next (``resolve_citizen``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.identity import repository
from server.identity.citizens import (
    ID_NUMBER_LABEL,
    MOBILE_LABEL,
    NAME_LABEL,
    CitizenProfile,
    complete_merge,
    find_citizen,
    get_profile,
    resolve_citizen,
)
from server.identity.codes import CHINA_TZ, mask_citizen_id, mask_mobile, validate_citizen_id, validate_mobile
from server.identity.errors import RealNameAlreadyBound, RealNameBusy, RealNameMismatch
from server.identity.models import Citizen, IdClaim, RealName
from server.identity.names import validate_person_name

if TYPE_CHECKING:
    from server.deps import Deps

PENDING_CLAIM_SECONDS = 300
_ATTEMPTS = 5


@dataclass(frozen=True)
class _Request:
    name: str
    id_number: str
    mobile: str
    id_index: str
    name_digest: str
    mobile_index: str

    def __repr__(self) -> str:  # never let the numbers reach a log line through a repr
        return f"_Request({mask_citizen_id(self.id_number)})"


def _prepare(deps: Deps, name: str, id_number: str, mobile: str) -> _Request:
    person = validate_person_name(name)
    today = deps.clock.now().astimezone(CHINA_TZ).date()
    number = validate_citizen_id(id_number, today=today).number
    phone = validate_mobile(mobile)
    pii = deps.pii
    return _Request(name=person, id_number=number, mobile=phone, id_index=pii.blind_index(ID_NUMBER_LABEL, number),
                    name_digest=pii.blind_index(NAME_LABEL, person), mobile_index=pii.blind_index(MOBILE_LABEL, phone))


async def bind_real_name(deps: Deps, citizen_id: str, *, name: str, id_number: str, mobile: str) -> CitizenProfile:
    """Bind a natural person to the calling citizen; the same data again is a no-op, a new mobile replaces it.

    Raises ``InvalidPersonName``/``InvalidCitizenId``/``InvalidMobile`` (422), ``RealNameMismatch`` (409:
    the number is bound under another name), ``RealNameAlreadyBound`` (409: this citizen has another number).
    """
    request = _prepare(deps, name, id_number, mobile)
    for _ in range(_ATTEMPTS):
        citizen = await resolve_citizen(deps.db, citizen_id)
        bound_to = await _bind_once(deps, citizen, request)
        if bound_to is not None:
            return await get_profile(deps, bound_to)
    raise RealNameBusy()


async def _bind_once(deps: Deps, citizen: Citizen, request: _Request) -> str | None:
    """The citizen now bound to the number, or None when a concurrent change calls for another attempt."""
    db, now = deps.db, deps.clock.now()
    if citizen.real_name is not None:
        return await _confirm(deps, citizen, request)
    if await repository.claim_id_number(db, IdClaim(request.id_index, citizen.id, request.name_digest, now)):
        return await _finish(deps, citizen.id, request)
    held = await repository.get_id_claim(db, request.id_index)
    if held is None:
        return None
    holder = await find_citizen(db, held.citizen_id)
    if holder is None or holder.id == citizen.id or (
            holder.real_name is not None and holder.real_name.id_number_index != request.id_index):
        # Our own earlier attempt, or a claim nobody stands behind any more.
        if held.citizen_id == citizen.id and held.name_digest == request.name_digest:
            return await _finish(deps, citizen.id, request)
        return await _take_over(deps, held, citizen.id, request)
    if holder.real_name is not None:
        if holder.real_name.name != request.name:
            raise RealNameMismatch()
        if not await _merge(deps, citizen.id, holder.id):
            return None
        return await _confirm(deps, holder, request)
    # The holder claimed the number but its binding is unfinished (in flight, or cut short by a crash).
    if held.name_digest == request.name_digest:
        if not await _merge(deps, citizen.id, holder.id):
            return None
        return await _finish(deps, holder.id, request)
    if (now - held.created_at).total_seconds() > PENDING_CLAIM_SECONDS:
        return await _take_over(deps, held, citizen.id, request)
    raise RealNameMismatch()


async def _take_over(deps: Deps, held: IdClaim, citizen_id: str, request: _Request) -> str | None:
    if not await repository.take_over_id_claim(deps.db, held, citizen_id, request.name_digest, deps.clock.now()):
        return None
    return await _finish(deps, citizen_id, request)


async def _finish(deps: Deps, citizen_id: str, request: _Request) -> str | None:
    """Write ``real_name`` on a citizen that holds the claim."""
    pii = deps.pii
    real_name = RealName(
        name=request.name,
        id_number_sealed=pii.seal(ID_NUMBER_LABEL, request.id_number), id_number_index=request.id_index,
        id_number_masked=mask_citizen_id(request.id_number),
        mobile_sealed=pii.seal(MOBILE_LABEL, request.mobile), mobile_index=request.mobile_index,
        mobile_masked=mask_mobile(request.mobile), bound_at=deps.clock.now())
    if await repository.set_real_name_if_unbound(deps.db, citizen_id, real_name):
        await repository.release_id_claims(deps.db, citizen_id, keep=request.id_index)
        return citizen_id
    current = await repository.get_citizen(deps.db, citizen_id)
    if current is not None and current.real_name is not None and \
            current.real_name.id_number_index == request.id_index:
        return await _confirm(deps, current, request)
    # Bound to another number or merged away meanwhile: give the claim back and decide again.
    await repository.release_id_claim(deps.db, request.id_index, citizen_id)
    return None


async def _confirm(deps: Deps, citizen: Citizen, request: _Request) -> str:
    """A citizen already bound: the same person again is fine (a new mobile replaces the old one)."""
    real_name = citizen.real_name
    assert real_name is not None
    if real_name.id_number_index != request.id_index:
        raise RealNameAlreadyBound()
    if real_name.name != request.name:
        raise RealNameMismatch()
    if real_name.mobile_index != request.mobile_index:
        await repository.replace_mobile(deps.db, citizen.id, request.id_index,
                                        sealed=deps.pii.seal(MOBILE_LABEL, request.mobile),
                                        index_value=request.mobile_index, masked=mask_mobile(request.mobile),
                                        now=deps.clock.now())
    await repository.release_id_claims(deps.db, citizen.id, keep=request.id_index)
    return citizen.id


async def _merge(deps: Deps, citizen_id: str, survivor_id: str) -> bool:
    if not await repository.mark_merged_if_unbound(deps.db, citizen_id, survivor_id, deps.clock.now()):
        return False
    await complete_merge(deps.db, citizen_id, survivor_id)
    return True
