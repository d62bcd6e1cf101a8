"""The match model over plain LookupMatch dataclasses, tested without a view."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from desktop.core.wording import STATUS_LABEL, STATUS_SYMBOL, days_phrase
from desktop.ui.models import MatchModel, MatchRole, StatusRole


def test_match_model(by_status, ui_env):
    model = MatchModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    rows = [ms[0] for ms in by_status.values()]
    seen = []
    model.updated.connect(seen.append)
    model.set_matches(rows, generation=7)
    assert seen == [7] and model.generation == 7
    assert model.rowCount() == len(rows) and model.columnCount() == 5
    assert model.rowCount(model.index(0, 0)) == 0
    for r, m in enumerate(rows):
        st = m.coverage.status
        assert model.data(model.index(r, MatchModel.PLATE)) == m.plate
        assert model.data(model.index(r, MatchModel.OWNER)) == m.owner
        assert "*" in m.owner  # masked
        assert model.data(model.index(r, MatchModel.STATUS)) == f"{STATUS_SYMBOL[st]} {STATUS_LABEL[st]}"
        want = (f"保至 {m.coverage.ci_end_date.isoformat()}" if m.coverage.status == "RENEWED"
                else days_phrase(m.coverage))
        assert model.data(model.index(r, MatchModel.DAYS)) == want
        assert model.data(model.index(r, 0), MatchRole) is m
        assert model.data(model.index(r, 0), StatusRole) == st
    assert model.data(QModelIndex()) is None
    assert model.headerData(0, Qt.Orientation.Horizontal) == "车牌"  # translated
    assert model.row_of(rows[2].vehicle_id) == 2 and model.match_at(99) is None
    changed = []
    model.dataChanged.connect(lambda a, b: changed.append((a.row(), b.row())))
    model.replace(rows[2])
    assert changed == [(2, 2)]
    model.clear(8)
    assert model.rowCount() == 0 and seen[-1] == 8
