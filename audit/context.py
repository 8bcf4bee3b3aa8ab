"""The request being served, so model and auth signals can say who did it and from where."""
from contextvars import ContextVar
from dataclasses import dataclass, field

_current: ContextVar["RequestContext | None"] = ContextVar("audit_request", default=None)


@dataclass
class RequestContext:
    request: object
    object_events: int = 0
    patients: set = field(default_factory=set)


def begin(request) -> object:
    return _current.set(RequestContext(request))


def end(token) -> None:
    _current.reset(token)


def current() -> RequestContext | None:
    return _current.get()
