"""The resource that policies authorize for company statistics."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CompanyStatistics:
    """A company's published workforce statistics, as a resource to authorize."""

    company_id: str
