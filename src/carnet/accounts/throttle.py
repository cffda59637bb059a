"""Failed sign-ins slow the attacker down, without ever locking the owner out for long.

After a few failed attempts on one account (whatever address they come from), and after
more on one address (whatever accounts they try), each further attempt must wait a delay
that doubles with every failure, up to a ceiling: ``ACCOUNT`` and ``ADDRESS`` below. An
attempt made during the delay is answered "wait N seconds" without looking at the
password, and is not counted. The ceiling is short (30 s for an account), so the owner
who types the right password after waiting at most that long gets in, while a guesser is
held to two tries a minute per account; the owner can also ask for an emailed sign-in
link at any time (allauth's login by code). Failures are forgotten an hour after the
last one. A successful sign-in takes back its own attempt but does not wipe the count,
so that an attacker cannot mix in sign-ins of their own account to reset it.

The counters live in the cache (Redis when configured); the account key is a hash of the
typed address, whether an account exists or not, so the delays say nothing about which
addresses have accounts. One attempt per account runs at a time: the others wait their
turn, so parallel guesses cannot slip through between two counts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from .addresses import client_ip


@dataclass(frozen=True)
class Rule:
    free: int  # failures allowed before any delay
    first: float  # seconds of the first delay, doubled with each further failure
    ceiling: float  # the longest delay

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.ceiling, self.first * 2 ** (failures - self.free))


ACCOUNT = Rule(free=3, first=2.0, ceiling=30.0)
ADDRESS = Rule(free=10, first=2.0, ceiling=60.0)
FORGET_AFTER = 3600  # seconds after the last failure
BUSY_SECONDS = 10  # an attempt in progress holds its account this long at most


def _now() -> float:
    return timezone.now().timestamp()


def _keys(request, email: str) -> list[tuple[str, Rule]]:
    login = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    keys = [(f"signin:account:{login}", ACCOUNT)]
    ip = client_ip(request)
    if ip:
        keys.append((f"signin:address:{ip}", ADDRESS))
    return keys


class Attempt:
    """One sign-in attempt: ``wait`` seconds to wait first, else go on and report."""

    def __init__(self, request, email: str):
        self.keys = _keys(request, email)
        self.busy_key = self.keys[0][0] + ":busy"
        self.wait = 0
        now = _now()
        for key, rule in self.keys:
            failures, last = cache.get(key, (0, 0.0))
            self.wait = max(self.wait, math.ceil(last + rule.delay(failures) - now))
        if self.wait <= 0 and not cache.add(self.busy_key, 1, BUSY_SECONDS):
            self.wait = 1  # another attempt on this account is being checked right now
        self.wait = max(self.wait, 0)

    @property
    def allowed(self) -> bool:
        return self.wait == 0

    def failed(self) -> None:
        now = _now()
        for key, _rule in self.keys:
            failures, _last = cache.get(key, (0, 0.0))
            cache.set(key, (failures + 1, now), FORGET_AFTER)
        cache.delete(self.busy_key)

    def succeeded(self) -> None:
        cache.delete(self.busy_key)
