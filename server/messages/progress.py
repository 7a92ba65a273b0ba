"""The citizen's progress view of one case: the timeline and every message about it, with its outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.cases.citizen_access import case_of_citizen
from server.cases.states import STATE_LABELS, State
from server.cases.views import case_timeline
from server.jsonutil import iso
from server.messages import repository
from server.messages.kinds import STATUS_LINES, MessageKind
from server.messages.outbox import citizen_entries

if TYPE_CHECKING:
    from server.deps import Deps

# What the citizen reads about a message; "queued" covers both the outbox and a pending retry.
STATUS_LABELS = {"queued": "待发送", "sending": "发送中", "sent": "已发送", "no_consent": "未订阅，未发送",
                 "refused": "用户拒收", "invalid_template": "发送失败", "rejected": "发送失败", "failed": "发送失败"}


def _message_view(message: dict[str, Any], status: str) -> dict[str, Any]:
    kind = MessageKind(message["kind"])
    return {"id": message.get("_id") or message["id"], "kind": kind.value, "title": STATUS_LINES[kind],
            "history_seq": message.get("history_seq"), "status": status, "status_label": STATUS_LABELS[status],
            "channel": message.get("channel"), "queued_at": iso(message.get("queued_at")),
            "sent_at": iso(message.get("sent_at"))}


async def case_progress(deps: Deps, citizen_id: str, case_id: str) -> dict[str, Any]:
    case = await case_of_citizen(deps, citizen_id, case_id)
    stored = await repository.messages_of_case(deps.db, case["_id"])
    stored_ids = {message["_id"] for message in stored}
    views = [_message_view(m, "queued" if m["status"] == "pending" else m["status"]) for m in stored]
    # Entries not relayed yet are already promised to the citizen: shown as queued.
    views += [_message_view({**entry, "channel": case["channel"]}, "queued")
              for entry in citizen_entries(case) if entry["id"] not in stored_ids]
    state = State(case["state"])
    return {"id": case["_id"], "number": case["number"], "state": state.value, "state_label": STATE_LABELS[state],
            "timeline": await case_timeline(deps, case), "messages": views}
