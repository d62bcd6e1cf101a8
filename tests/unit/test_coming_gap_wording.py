"""Issue 11 item 6: a coming gap is not "do not drive today"; a mid-day start belongs to the gap."""
from __future__ import annotations

from datetime import datetime

from desktop.core import wording
from desktop.core.status import Gap, Term, coverage_status
from desktop.core.timeutil import CST


def T(s, e):
    return Term("CI", datetime.fromisoformat(s).replace(tzinfo=CST), datetime.fromisoformat(e).replace(tzinfo=CST))


AT = datetime(2026, 12, 1, 10, 0, tzinfo=CST)


def test_coming_gap_says_when_cover_ends_and_which_days_are_uncovered():
    st = coverage_status([T("2025-12-11", "2026-12-11"), T("2026-12-16", "2027-12-16")], AT)
    assert st.status == "DUE" and st.gaps == (Gap(datetime(2026, 12, 11).date(), datetime(2026, 12, 15).date(), 5),)
    text = wording.next_start_warning(st)
    assert "生效前不得上路" not in text
    assert "现保单保到 2026年12月10日（当日24时止）" in text and "12 月 16 日生效" in text
    assert "12 月 11 日至12 月 15 日（共 5 天）没有保障" in text


def test_mid_day_start_day_belongs_to_the_gap():
    st = coverage_status([T("2025-12-11", "2026-12-11"), T("2026-12-16T14:30", "2027-12-16T14:30")], AT)
    assert st.gaps[0].to_date.isoformat() == "2026-12-16" and st.gaps[0].days == 6
    assert "12 月 16 日 14:30 生效" in wording.next_start_warning(st)
    assert "（共 6 天）" in wording.next_start_warning(st)


def test_no_cover_now_still_says_do_not_drive_before_the_start():
    st = coverage_status([T("2025-01-01", "2026-01-01"), T("2026-12-16", "2027-12-16")], AT)
    assert st.status == "LAPSED"
    assert wording.next_start_warning(st) == "新保单 12 月 16 日生效，生效前不得上路"
    # The compact slip's short form says the same in one key line; a coming gap keeps its full text.
    assert wording.next_start_warning(st, short=True) == "新保单 12 月 16 日生效前不得上路"
    gap = coverage_status([T("2025-12-11", "2026-12-11"), T("2026-12-16", "2027-12-16")], AT)
    assert wording.next_start_warning(gap, short=True) == wording.next_start_warning(gap)


def test_slip_prints_the_coming_gap(tmp_path):
    import pdfplumber

    from desktop.printing import fonts, model, slip
    from tests.unit.test_printing_slip import FONT

    fonts.ensure_gui_app()
    st = coverage_status([T("2025-12-11", "2026-12-11"), T("2026-12-16", "2027-12-16")], AT)
    data = model.SlipData("京A12345", st, "示例财产保险", "counter", AT, AT,
                          model.CounterInfo("1号柜台", "0755-1", "地址", "9-17", org="示例车行"))
    slip.render_slip_pdf(data, tmp_path / "s.pdf", "a4", font_path=FONT)
    with pdfplumber.open(tmp_path / "s.pdf") as pdf:
        text = "".join((pdf.pages[0].extract_text() or "").split())
    assert "没有保障" in text and "生效前不得上路" not in text
