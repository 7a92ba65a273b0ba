"""Finding the one citizen behind an id, finishing merges, and the citizen's own (masked) profile.

A citizen merged into another (the same ID number bound from a second channel) is never used again:
every lookup goes through ``resolve_citizen``, which follows the merge and completes whatever part of it
a crash left undone, so a stale id in a session or identity always lands on the surviving citizen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.errors import NotFound
from server.identity import repository
from server.identity.models import Citizen, CitizenIdentity
from server.identity.pii import PersonalDataCipher
from server.messages import repository as message_consents

if TYPE_CHECKING:
    from server.deps import Deps

_MAX_MERGE_HOPS = 8
# Labels of the sealed fields: the associated data of their ciphertexts and the domain of their indexes.
ID_NUMBER_LABEL = "citizen.id_number"
MOBILE_LABEL = "citizen.mobile"
NAME_LABEL = "citizen.name"


class CitizenNotFound(NotFound):
    code = "citizen_not_found"
    default_message = "用户不存在"


@dataclass(frozen=True)
class CitizenProfile:
    citizen: Citizen
    identities: list[CitizenIdentity]


async def complete_merge(db: repository.Db, merged_id: str, survivor_id: str) -> None:
    """Move everything of a merged citizen to the survivor. Every step is safe to repeat."""
    await repository.repoint_identities(db, merged_id, survivor_id)
    await repository.repoint_sessions(db, merged_id, survivor_id)
    # Consents stay with the identity that gave them (and its account); only their citizen link moves.
    await message_consents.repoint_consents(db, merged_id, survivor_id)
    await repository.release_id_claims(db, merged_id)


async def find_citizen(db: repository.Db, citizen_id: str) -> Citizen | None:
    """The surviving citizen for ``citizen_id`` (itself unless merged), or None if there is none."""
    citizen = await repository.get_citizen(db, citizen_id)
    for _ in range(_MAX_MERGE_HOPS):
        if citizen is None or not citizen.is_merged or citizen.merged_into is None:
            return citizen
        await complete_merge(db, citizen.id, citizen.merged_into)
        citizen = await repository.get_citizen(db, citizen.merged_into)
    raise RuntimeError(f"merge chain of citizen {citizen_id} is longer than {_MAX_MERGE_HOPS}")


async def resolve_citizen(db: repository.Db, citizen_id: str) -> Citizen:
    """The surviving citizen for ``citizen_id``, or ``CitizenNotFound`` (404). What other features call."""
    citizen = await find_citizen(db, citizen_id)
    if citizen is None:
        raise CitizenNotFound()
    return citizen


async def get_profile(deps: Deps, citizen_id: str) -> CitizenProfile:
    citizen = await resolve_citizen(deps.db, citizen_id)
    return CitizenProfile(citizen=citizen, identities=await repository.identities_of(deps.db, citizen.id))


def reveal_id_number(pii: PersonalDataCipher, citizen: Citizen) -> str | None:
    """The whole ID number, for staff who handle this citizen's case (never for lists, logs or the citizen)."""
    if citizen.real_name is None:
        return None
    return pii.open(ID_NUMBER_LABEL, citizen.real_name.id_number_sealed)


def reveal_mobile(pii: PersonalDataCipher, citizen: Citizen) -> str | None:
    if citizen.real_name is None:
        return None
    return pii.open(MOBILE_LABEL, citizen.real_name.mobile_sealed)
