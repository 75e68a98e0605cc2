"""Pure township rules of the registry: a form's township text to the one canonical name, and the
statistics' group key. The list itself is shared.townships (a fixed, dated list). No I/O."""
from __future__ import annotations

import datetime as dt

from shared.townships import canonical, names

EXAMPLES = 6  # how many valid names a refusal lists


def name_of(text: str | None, on: dt.date) -> str | None:
    """The canonical name `text` stands for on `on` (None stays None); unknown text raises a
    bilingual ValueError listing a few valid names (a 422 at the request boundary)."""
    if text is None or not text.strip():
        return None
    found = canonical(text, on)
    if found is None:
        some = "、".join(names(on)[:EXAMPLES])
        raise ValueError(f"不是房山区的乡镇（街道）：{text}（如 {some} 等，见 /api/v1/townships） / "
                         f"not a town, township or street office of Fangshan: {text} (e.g. {some}; "
                         "see /api/v1/townships)")
    return found.name


def group_key(text: str | None, on: dt.date | None = None) -> str | None:
    """The statistics' key for a stored township: its canonical name when the text names one
    (良乡 and 良乡镇 are one row); text no unit matches (written before the list existed) keeps its
    own key so it can be seen and corrected; empty → None (the （未填） row)."""
    if text is None or not text.strip():
        return None
    found = canonical(text, on)
    return found.name if found else text.strip()


def variants_of(stored: list[str], text: str, on: dt.date | None = None) -> list[str]:
    """The stored township texts that name the same unit as `text` (a list filter that finds
    良乡 and 良乡地区 when asked for 良乡镇); unknown `text` matches itself only."""
    found = canonical(text, on)
    if found is None:
        return [text]
    return sorted({found.name, *(t for t in stored if t and canonical(t, on) == found)})
