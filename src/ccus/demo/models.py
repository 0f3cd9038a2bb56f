"""The table of the demo data set's personas."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ccus.db.base import Base


class DemoPersona(Base):
    """A named id of the loaded demo data set, e.g. ``worker`` or ``site_id``."""

    __tablename__ = "demo_personas"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(80))
