"""Workflow states, editorial actions and the transitions between them: defined here and nowhere else.

The state describes the head (draft) revision; whether the item is live is separate (``is_live``), so a
live guide can have a draft in review while the published version keeps being delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from server.staff.roles import Role


class State(StrEnum):
    DRAFT = "draft"  # being edited (or withdrawn from review by a later save)
    IN_REVIEW = "in_review"  # submitted; waits for a reviewer
    REJECTED = "rejected"  # sent back with comments
    PUBLISHED = "published"  # the head revision is the live one


class Action(StrEnum):
    CREATE = "create"
    SAVE = "save"
    ROLLBACK = "rollback"
    SUBMIT = "submit"
    PUBLISH = "publish"
    REJECT = "reject"
    UNPUBLISH = "unpublish"
    SCHEDULE = "schedule"
    SCHEDULED_PUBLISH = "scheduled_publish"
    SCHEDULED_UNPUBLISH = "scheduled_unpublish"
    UPLOAD = "upload"


ALL_STATES = frozenset(State)


@dataclass(frozen=True)
class Rule:
    """Who may take an action (any of ``roles``) and from which states; ``to`` None keeps the state."""

    roles: frozenset[str]
    allowed_from: frozenset[State]
    to: State | None


_EDITOR = frozenset({Role.EDITOR.value})
_REVIEWER = frozenset({Role.REVIEWER.value})
_UNPUBLISHED_CHANGES = frozenset({State.DRAFT, State.IN_REVIEW, State.REJECTED})

RULES: dict[Action, Rule] = {
    Action.CREATE: Rule(_EDITOR, ALL_STATES, State.DRAFT),
    # Saving while in review withdraws the draft: the reviewer must not publish what they did not see.
    Action.SAVE: Rule(_EDITOR, ALL_STATES, State.DRAFT),
    Action.ROLLBACK: Rule(_EDITOR, ALL_STATES, State.DRAFT),
    Action.SUBMIT: Rule(_EDITOR, frozenset({State.DRAFT, State.REJECTED}), State.IN_REVIEW),
    # A reviewer may publish a draft that was never submitted (the reviewer is the review); an editor
    # without the reviewer role can never publish, their own drafts included.
    Action.PUBLISH: Rule(_REVIEWER, _UNPUBLISHED_CHANGES, State.PUBLISHED),
    Action.REJECT: Rule(_REVIEWER, frozenset({State.IN_REVIEW}), State.REJECTED),
    Action.UNPUBLISH: Rule(_REVIEWER, ALL_STATES, None),
    Action.SCHEDULE: Rule(_REVIEWER, ALL_STATES, None),
    Action.SCHEDULED_PUBLISH: Rule(_REVIEWER, ALL_STATES, None),
    Action.SCHEDULED_UNPUBLISH: Rule(_REVIEWER, ALL_STATES, None),
    Action.UPLOAD: Rule(_EDITOR, ALL_STATES, None),
}

# Who may read the staff views of content (drafts, revisions, diffs, audit).
READER_ROLES: tuple[str, ...] = (Role.EDITOR.value, Role.REVIEWER.value, Role.SUPERVISOR.value)
EDITOR_ROLES: tuple[str, ...] = (Role.EDITOR.value,)
REVIEWER_ROLES: tuple[str, ...] = (Role.REVIEWER.value,)
