"""What an actor may do on a case now: the declared triggers their capacities allow from the
case's state, each with the guards that still block it (DESIGN §2: buttons and API `actions`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Message
from .context import Context
from .guards import failing
from .machine import triggers_from


@dataclass(frozen=True)
class Action:
    """A trigger this actor may fire on this case now; `blocked_by` explains why not yet."""

    trigger: str
    label: str
    label_en: str
    blocked_by: tuple[Message, ...] = ()
    fields: tuple[Any, ...] = ()
    confirm: bool = False

    @property
    def allowed(self) -> bool:
        return not self.blocked_by


def actions_for(ctx: Context) -> list[Action]:
    """The triggers this actor may fire on this case in its state, with what still blocks them.

    Input guards are left out: they are asked when the form is sent."""
    out = []
    for t in triggers_from(ctx.case.state):
        if not (t.roles & ctx.roles):
            continue
        out.append(
            Action(
                trigger=t.trigger,
                label=t.label,
                label_en=t.label_en,
                blocked_by=tuple(failing(t.guards, ctx, with_input=False)),
                fields=t.fields,
                confirm=t.confirm,
            )
        )
    return out
