"""Outreach rules: pure functions, no I/O."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping

from shared.params import Param

# -- search ---------------------------------------------------------------------------------------
_SPACE = re.compile(r"\s+")


def normalise(*parts) -> str:
    """The text a product is searched by: NFKC (full-width → half-width), case-folded, without
    whitespace, the parts joined by a separator no query can contain. Chinese has no spaces, so a
    partial word is a substring: `LIKE '%储能%'` on this text finds 新型储能系统 on every database."""
    out = []
    for p in parts:
        if p is None:
            continue
        if isinstance(p, list | tuple):
            out.extend(normalise(x) for x in p)
            continue
        out.append(_SPACE.sub("", unicodedata.normalize("NFKC", str(p)).casefold()))
    return "|".join(x for x in out if x)


def search_terms(q: str) -> list[str]:
    """A query's terms: split on whitespace, each normalised; every term must match (AND)."""
    terms = [normalise(t) for t in _SPACE.split(unicodedata.normalize("NFKC", q)) if t]
    return [t.replace("|", "") for t in terms if t.replace("|", "")][:8]


def like_pattern(term: str) -> str:
    """A LIKE pattern for a term, escaping LIKE's wildcards (escape char '\\')."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# -- notices ----------------------------------------------------------------------------------------
def targeted(target: Mapping, e: Mapping) -> bool:
    """Does an enterprise (uscc, tier, township, park_id, industry_code) fall in a notice's target?
    Each given criterion must hold (AND); within one criterion any listed value will do (OR).
    `industries` are code prefixes; `screening.usccs` is the list resolved at creation."""
    for key, field in (("tiers", "tier"), ("townships", "township"), ("park_ids", "park_id"), ("usccs", "uscc")):
        wanted = target.get(key)
        if wanted and e.get(field) not in wanted:
            return False
    industries = target.get("industries")
    if industries and not any((e.get("industry_code") or "").upper().startswith(p.upper()) for p in industries):
        return False
    screening = target.get("screening")
    if screening and e.get("uscc") not in (screening.get("usccs") or ()):
        return False  # resolved from the registry when the notice was created
    return True


CRITERIA = ("tiers", "townships", "park_ids", "usccs", "industries", "screening")


def aimless(target: Mapping) -> bool:
    """A target naming no one: no criterion, and not explicitly every enterprise (`audience: all`).
    Matching it would reach everyone, so it is refused rather than sent."""
    return target.get("audience") != "all" and not any(target.get(k) for k in CRITERIA)


def backoff(attempts: int, params: Mapping[str, Param]) -> dt.timedelta:
    """The wait before retry number `attempts` + 1: base × 2^(attempts − 1), capped."""
    base = int(params["outreach.notice.retry_base_s"].value)
    cap = int(params["outreach.notice.retry_max_s"].value)
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def gives_up(attempts: int, params: Mapping[str, Param]) -> bool:
    return attempts >= int(params["outreach.notice.max_attempts"].value)


# -- programmes -----------------------------------------------------------------------------------
STAGES = ("preparing", "submitted", "approved", "granted", "rejected", "withdrawn")
NEXT = {"preparing": {"submitted", "withdrawn"}, "submitted": {"approved", "rejected", "withdrawn"},
        "approved": {"granted", "withdrawn"}, "granted": set(), "rejected": set(), "withdrawn": set()}


def next_stages(current: str) -> list[str]:
    """Where an application may go from `current`, in the stages' order (what a form offers)."""
    return [s for s in STAGES if s in NEXT.get(current, set())]


def stage_error(current: str, new: str) -> str | None:
    if new == current:
        return None
    if new not in NEXT.get(current, set()):
        return f"{current} → {new} is not a step (from {current}: {', '.join(sorted(NEXT[current])) or 'none'})"
    return None


def amount_error(max_amount_yuan: int | None, requested_yuan: int | None, granted_yuan: int | None) -> str | None:
    """An application's amounts against the programme's published maximum (whole 元): neither the
    amount requested nor the amount granted may exceed it (a programme without one caps nothing)."""
    if max_amount_yuan is None:
        return None
    for name, v in (("requested_yuan", requested_yuan), ("granted_yuan", granted_yuan)):
        if v is not None and v > max_amount_yuan:
            return name
    return None


def closing_soon(windows: Iterable[tuple[int, dt.date, dt.date]], on: dt.date, days: int) -> list[int]:
    """Programmes whose window is open on `on` and closes within `days` days."""
    return [pid for pid, opens, closes in windows if opens <= on <= closes and (closes - on).days <= days]


def contract_ref(evidence: str) -> str:
    """A contract's evidence reference as stored and compared: full-width forms folded (NFKC),
    spaces collapsed, letters upper-cased, so `cg-7`, `ＣＧ－７` and `CG-7 ` are one contract."""
    return " ".join(unicodedata.normalize("NFKC", evidence).split()).upper()
