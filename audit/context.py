"""The request being served, so model and auth signals can say who did it and from where."""
from contextvars import ContextVar
from dataclasses import dataclass, field

_current: ContextVar["RequestContext | None"] = ContextVar("audit_request", default=None)
_quiet: ContextVar[int] = ContextVar("audit_quiet", default=0)


@dataclass
class RequestContext:
    request: object
    object_events: int = 0  # reads, lists and exports recorded by the view itself
    written: int = 0  # every event written while serving this request
    patients: set = field(default_factory=set)
    shown: set = field(default_factory=set)  # patients a list page declared it shows (events.shown)
    shown_listed: bool = False
    shown_what: str = ""


def begin(request) -> object:
    return _current.set(RequestContext(request))


def end(token) -> None:
    _current.reset(token)


def current() -> RequestContext | None:
    return _current.get()


def quiet_begin() -> object:
    return _quiet.set(_quiet.get() + 1)


def quiet_end(token) -> None:
    _quiet.reset(token)


def is_quiet() -> bool:
    return _quiet.get() > 0
