"""Real-name binding of natural persons: one ID number, one citizen, whichever channel binds it.

A binding rests on a verification the provider passed for the caller, this name and this number
(``server.identity.verification``); name, number and mobile alone bind nothing.

The ID number's blind index is claimed in ``citizen_id_claims`` (unique by key) before the citizen is
touched, so two bindings of one number can never both win, without transactions. Order of writes:

1. claim the number for this citizen;
2. write ``real_name`` on the citizen (only if it has none);
3. release any other claim this citizen holds (abandoned attempts).

If the number is held by another citizen, the verified caller decides who that citizen is:

* bound under the same name, or under another name by a verified binding too (both proofs name the same
  person, so the name changed since): it is the caller's own citizen. This (unbound) citizen is merged
  into it: (1) mark this citizen merged into the holder (only if still unbound); (2) re-point its
  identities, then its sessions, to the holder and release its claims; (3) finish the holder's binding if
  a crash had left it half done, taking the newly verified name. The holder keeps its bound mobile: a merge
  never changes it (changing a mobile is not part of binding).
* bound under another name by a binding nothing proved (made before verifications existed): a squat. The
  holder loses the number: (1) its ``real_name`` is released (a masked note of it stays, for staff); (2) its
  claim is taken over; (3) this citizen is bound. The holder keeps its accounts and its own cases, unbound.
  Cut short after (1), the claim is an unfinished one under another name that is older than
  ``PENDING_CLAIM_SECONDS`` (such bindings predate verifications), so the next binding takes it over.

A crash after any step leaves a state from which the same request, retried with a new verification,
finishes the job: a claim held by this very citizen is resumed, a claim whose holder is bound to another
number (or gone, or abandoned for ``PENDING_CLAIM_SECONDS``) is taken over, and a merged citizen is
completed by whoever meets it next (``resolve_citizen``).
"""

from __future__ import annotations

import logging
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
from server.identity.codes import mask_citizen_id, mask_mobile, validate_mobile
from server.identity.errors import RealNameAlreadyBound, RealNameBusy, RealNameMismatch
from server.identity.models import Citizen, IdClaim, RealName
from server.identity.verification import VerifiedPerson, use_verification

if TYPE_CHECKING:
    from server.deps import Deps
    from server.identity.sessions import CitizenPrincipal

log = logging.getLogger("yiwang.identity.real_name")

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
    verification: str

    def __repr__(self) -> str:  # never let the numbers reach a log line through a repr
        return f"_Request({mask_citizen_id(self.id_number)})"


def _prepare(deps: Deps, person: VerifiedPerson, mobile: str) -> _Request:
    pii = deps.pii
    return _Request(name=person.name, id_number=person.id_number, mobile=mobile,
                    id_index=pii.blind_index(ID_NUMBER_LABEL, person.id_number),
                    name_digest=pii.blind_index(NAME_LABEL, person.name),
                    mobile_index=pii.blind_index(MOBILE_LABEL, mobile), verification=person.method.value)


async def bind_real_name(deps: Deps, principal: CitizenPrincipal, *, verification_id: str, mobile: str,
                         verify_result: str | None = None) -> CitizenProfile:
    """Bind the caller to the person a passed verification of theirs proved (see the module's rules).

    Raises ``InvalidMobile`` (422, checked before the verification is spent), the verification's errors
    (``server.identity.verification.use_verification``), ``RealNameAlreadyBound`` (409: this citizen has
    another number), ``RealNameMismatch`` (409: another binding of the number, under another name, is under
    way right now).
    """
    phone = validate_mobile(mobile)
    person = await use_verification(deps, principal, verification_id, verify_result)
    return await bind_verified_person(deps, principal.citizen_id, person, phone)


async def bind_verified_person(deps: Deps, citizen_id: str, person: VerifiedPerson, mobile: str) -> CitizenProfile:
    """The binding itself, for a person a provider has just verified (``mobile`` already valid)."""
    request = _prepare(deps, person, mobile)
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
        if holder.real_name.name != request.name and holder.real_name.verification is None:
            return await _displace(deps, holder, held, citizen.id, request)
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


async def _displace(deps: Deps, holder: Citizen, held: IdClaim, citizen_id: str, request: _Request) -> str | None:
    """Take the number from a citizen that holds it under another name without any proof."""
    assert holder.real_name is not None
    if not await repository.release_real_name(deps.db, holder.id, request.id_index, holder.real_name.name,
                                              masked=holder.real_name.id_number_masked, now=deps.clock.now()):
        return None
    log.warning("real name %s released from citizen %s: the number was verified by citizen %s under another name",
                holder.real_name.id_number_masked, holder.id, citizen_id)
    return await _take_over(deps, held, citizen_id, request)


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
        mobile_masked=mask_mobile(request.mobile), bound_at=deps.clock.now(), verification=request.verification)
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
    """A citizen already bound to the verified number: the same person again.

    Its mobile stays (a verification proves the person, not the phone number). The verified name replaces
    the bound one (it can only differ after a change of name) and the binding records that it is proved.
    """
    real_name = citizen.real_name
    assert real_name is not None
    if real_name.id_number_index != request.id_index:
        raise RealNameAlreadyBound()
    if real_name.name != request.name or real_name.verification is None:
        await repository.confirm_verified_name(deps.db, citizen.id, request.id_index, name=request.name,
                                               verification=request.verification, now=deps.clock.now())
    await repository.release_id_claims(deps.db, citizen.id, keep=request.id_index)
    return citizen.id


async def _merge(deps: Deps, citizen_id: str, survivor_id: str) -> bool:
    if not await repository.mark_merged_if_unbound(deps.db, citizen_id, survivor_id, deps.clock.now()):
        return False
    await complete_merge(deps.db, citizen_id, survivor_id)
    return True
