"""Township use cases that read the database: which stored township texts name the same unit."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.tables import Enterprise
from services.registry.townships import rules


def township_variants(s: Session, text: str) -> list[str]:
    """Every township text stored on an enterprise that names the same unit as `text` (rows written
    before the list existed may say 良乡 or 良乡地区), so a filter finds them all. The distinct
    texts are few (one per writing of ~29 units), read in one query."""
    stored = list(s.scalars(select(Enterprise.township).where(Enterprise.township.is_not(None)).distinct()))
    return rules.variants_of(stored, text)
