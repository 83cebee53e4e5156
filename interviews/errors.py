"""Named domain errors. Views and the API map them to 4xx in one place (app.py)."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal a user can act on. ``message`` is written for them."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"
    # The other problems of the same input, found in the same pass, so a form can show
    # every error at once (refuse_all); an API answer names the first.
    more: tuple[InvalidInput, ...] = ()

    @property
    def problems(self) -> tuple[InvalidInput, ...]:
        """This problem and every other found with it."""
        return (self, *self.more)


def refuse_all(problems: list[InvalidInput]) -> None:
    """Raise the first of ``problems`` carrying the others, or nothing when there are none."""
    if problems:
        first = problems[0]
        first.more = tuple(problems[1:])
        raise first


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Gone(DomainError):
    status_code = 410
    code = "gone"


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"
