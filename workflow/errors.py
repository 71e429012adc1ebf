"""What a use case answers when it refuses. Views and the API translate these; they decide nothing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One human-readable reason, Chinese first, English for the language switch."""

    code: str
    zh: str
    en: str = ""

    def __str__(self) -> str:
        return self.zh

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.zh, "message_en": self.en or self.zh}


class WorkflowError(Exception):
    """Base of every refusal; `status` is the HTTP answer the API gives for it."""

    status = 400
    code = "error"

    def __init__(self, *messages: Message):
        self.messages: tuple[Message, ...] = messages
        super().__init__("；".join(m.zh for m in messages) or self.code)

    @property
    def message(self) -> str:
        return "；".join(m.zh for m in self.messages)


class InvalidInput(WorkflowError):
    status, code = 400, "invalid_input"


class NotAuthenticated(WorkflowError):
    status, code = 401, "unauthenticated"


class Forbidden(WorkflowError):
    """Wrong role, or separation of duties."""

    status, code = 403, "forbidden"


class NotFound(WorkflowError):
    """Also for cases the actor may not see: their existence is not disclosed."""

    status, code = 404, "not_found"


class Conflict(WorkflowError):
    """The trigger is not allowed in the case's current state, or the version is stale."""

    status, code = 409, "conflict"


class TooLarge(WorkflowError):
    status, code = 413, "too_large"


class UnsupportedFile(WorkflowError):
    status, code = 415, "unsupported_file"


class Unavailable(WorkflowError):
    """Something needed right now does not work (the PDF engine); nothing was changed."""

    status, code = 503, "unavailable"


class GuardsFailed(WorkflowError):
    """Every failing guard's message, never only the first."""

    status, code = 422, "guards_failed"


def msg(code: str, zh: str, en: str = "") -> Message:
    return Message(code, zh, en)
