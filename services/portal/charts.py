"""Charts drawn on the server as plain data for inline SVG (no script, no CDN)."""
from __future__ import annotations

CHAR_W = 14  # width of one CJK character at the charts' 13 px font, with a little air


def _label_w(rows) -> int:
    return max((len(label) for label, _ in rows), default=4) * CHAR_W + 12


def pyramid(rows: list[tuple[str, int]], row_h: int = 32, bar_w: int = 420) -> dict:
    """Tiers from the top down, each a centred bar whose width follows its count."""
    top = max((n for _, n in rows), default=0) or 1
    lw = _label_w(rows)
    bars = []
    for i, (label, n) in enumerate(rows):
        w = max(3, round(bar_w * n / top))
        bars.append({"label": label, "n": n, "x": lw + (bar_w - w) / 2, "y": i * row_h, "w": w, "h": row_h - 6,
                     "ty": i * row_h + (row_h - 6) / 2 + 5})
    return {"bars": bars, "label_x": lw - 8, "num_x": lw + bar_w + 10, "width": lw + bar_w + 70,
            "height": len(rows) * row_h, "title": "；".join(f"{label} {n} 家" for label, n in rows)}


def bars(rows: list[tuple[str, int]], row_h: int = 28, bar_w: int = 200) -> dict:
    """Horizontal bars, labels on the left."""
    top = max((n for _, n in rows), default=0) or 1
    lw = _label_w(rows)
    out = []
    for i, (label, n) in enumerate(rows):
        w = max(2, round(bar_w * n / top))
        out.append({"label": label, "n": n, "x": lw, "y": i * row_h, "w": w, "h": row_h - 8,
                    "ty": i * row_h + (row_h - 8) / 2 + 5})
    return {"bars": out, "label_x": lw - 8, "width": lw + bar_w + 60, "height": len(rows) * row_h,
            "title": "；".join(f"{label} {n}" for label, n in rows)}


def paired(rows: list[tuple[str, int, int]], names: tuple[str, str], row_h: int = 40, bar_w: int = 240) -> dict:
    """Two bars a row (say the policy in force and a proposal), labels on the left, one scale."""
    top = max((max(a, b) for _, a, b in rows), default=0) or 1
    lw = _label_w([(label, 0) for label, _, _ in rows])
    half = (row_h - 10) // 2
    out = []
    for i, (label, a, b) in enumerate(rows):
        y = i * row_h
        out.append({"label": label, "ty": y + half + 4,
                    "a": {"n": a, "x": lw, "y": y, "w": max(2, round(bar_w * a / top)), "h": half},
                    "b": {"n": b, "x": lw, "y": y + half + 2, "w": max(2, round(bar_w * b / top)), "h": half}})
    return {"rows": out, "label_x": lw - 8, "width": lw + bar_w + 110, "height": len(rows) * row_h, "names": names,
            "title": "；".join(f"{label}：{names[0]} {a}，{names[1]} {b}" for label, a, b in rows)}
