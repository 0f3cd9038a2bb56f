"""Random, unique ids for the demo dataset, such as 14-digit CCUS ids."""

from __future__ import annotations

import random


class IdAllocator:
    """Allocator of random fixed-width digit strings, unique per kind of id."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: dict[str, set[str]] = {}

    def allocate(self, kind: str, digits: int = 14, leading_zero: bool = False) -> str:
        """Return an unused id of ``kind``. ``leading_zero`` makes its first digit 0."""
        used = self._used.setdefault(kind, set())
        high = 10 ** (digits - 1) if leading_zero else 10**digits
        while True:
            value = f"{self._rng.randrange(high):0{digits}d}"
            if value not in used:
                used.add(value)
                return value
