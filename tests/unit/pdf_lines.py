"""Text lines of a PDF page by their baselines, for the print tests' line-advance checks."""
from __future__ import annotations


def baselines_of(page) -> list[tuple[float, float, str, str]]:
    """Text lines as (baseline y from the top, size, face, text): the line's real origin, which
    does not depend on how a face's glyph box is declared (pdfplumber's `top` does)."""
    rows: dict[float, list] = {}
    for c in page.chars:
        rows.setdefault(round(page.height - c["matrix"][5], 1), []).append(c)
    return [(y, max(c["size"] for c in cs), cs[0]["fontname"], "".join(c["text"] for c in cs))
            for y, cs in sorted(rows.items())]


def assert_advance_holds_across_faces(rows: list[tuple[float, float, str, str]]) -> None:
    """Every line at least 1.5x its size below the line before it of the same size, and at least
    one such pair in different faces (bold over regular), which is the case the rule was broken in."""
    mixed = 0
    for (y1, s1, f1, _), (y2, s2, f2, t2) in zip(rows, rows[1:], strict=False):
        if abs(s1 - s2) < 0.01:
            assert y2 - y1 >= 1.5 * s2 - 0.01, (t2, y2 - y1, s2)
            mixed += f1 != f2
    assert mixed >= 1
