"""The 14-digit identifiers of workers, companies, sites and staff.

Ids are strings: leading zeros are significant, so they are never integers.
"""

from __future__ import annotations

import re

ID14_PATTERN = r"^[0-9]{14}$"
_ID14 = re.compile(ID14_PATTERN)


def is_id14(value: object) -> bool:
    return isinstance(value, str) and _ID14.fullmatch(value) is not None
