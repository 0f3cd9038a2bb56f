"""Fictional Japanese street addresses and phone numbers for the demo dataset."""

from __future__ import annotations

import random

from . import catalogue
from .ids import IdAllocator


def street_address(rng: random.Random, town: catalogue.Town) -> str:
    return (
        f"{town.prefecture}{town.city}{town.town}"
        f"{rng.randint(1, 6)}丁目{rng.randint(1, 30)}番{rng.randint(1, 25)}号"
    )


def landline(rng: random.Random, area_code: str) -> str:
    local_digits = 10 - len(area_code)  # Japanese landline numbers have 10 digits
    exchange = 4 if local_digits == 8 else local_digits - 4
    number = f"{rng.randrange(2 * 10 ** (local_digits - 1), 10**local_digits)}"
    return f"{area_code}-{number[:exchange]}-{number[exchange:]}"


def mobile(rng: random.Random, ids: IdAllocator) -> str:
    # The 8 subscriber digits are unique across the dataset, so every mobile number is
    # unique.
    digits = ids.allocate("mobile", 8)
    return f"{rng.choice(('090', '080', '070'))}-{digits[:4]}-{digits[4:]}"
