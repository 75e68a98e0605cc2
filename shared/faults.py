"""The bus's failure model (docs/architecture.md, "Failure model"): which faults are transient
(retried for as long as they last), how long to wait between retries, and what /readyz and /metrics
say about a relay or consumer that is stuck."""
from __future__ import annotations

import time

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError


def transient(e: BaseException) -> bool:
    """A fault of the surroundings, not of the event: the database unreachable, locked, full or
    timing out, a lost connection. Retried for as long as it lasts; anything else is the handler's
    own error (a bug or a bad event) and counts toward its dead letter."""
    if isinstance(e, DBAPIError):
        return e.connection_invalidated or isinstance(e, (OperationalError, InterfaceError))
    return isinstance(e, (SQLAlchemyTimeoutError, ConnectionError, TimeoutError))


def backoff(attempt: int, cap: float) -> float:
    """0.2 s, 0.4 s, 0.8 s, … up to `cap`."""
    return min(0.1 * 2 ** min(attempt, 20), cap)


class BusHealth:
    """What /readyz and /metrics say about the bus: whether its loops run, and whether the consumer
    or the relay has been stuck (work in hand, no progress) for longer than `stall_after_s`."""

    def __init__(self, stall_after_s: float):
        self.stall_after_s = stall_after_s
        self.loops: dict[str, str | None] = {}  # loop → None while running, else its last error
        self.stuck_since: dict[str, float] = {}
        self.last_error: dict[str, str] = {}

    def running(self, loop: str, ok: bool, error: str | None = None) -> None:
        self.loops[loop] = None if ok else (error or "stopped")

    def waiting(self, part: str, error: str | None = None) -> None:
        """`part` has work it has not finished (an event in hand, a failing fetch or publish)."""
        self.stuck_since.setdefault(part, time.monotonic())
        if error:
            self.last_error[part] = error

    def progressed(self, part: str) -> None:
        self.stuck_since.pop(part, None)
        self.last_error.pop(part, None)

    def stalled(self, part: str) -> float:
        """Seconds `part` has been stuck beyond the allowance (0 when it is not)."""
        since = self.stuck_since.get(part)
        return 0.0 if since is None else max(0.0, time.monotonic() - since - self.stall_after_s)

    def problems(self) -> list[str]:
        out = [f"{loop} loop not running: {error}" for loop, error in self.loops.items() if error]
        for part in sorted(self.stuck_since):
            if self.stalled(part):
                age = time.monotonic() - self.stuck_since[part]
                out.append(f"{part} made no progress for {age:.0f} s: {self.last_error.get(part, 'busy')}")
        return out
