"""Item models over lists of plain dataclasses (never ORM objects); testable without a view."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from desktop.core.wording import STATUS_LABEL, STATUS_SYMBOL, days_phrase
from desktop.services.lookup import LookupMatch


def list_days_phrase(c) -> str:
    """days_phrase, short enough for the list column (the card spells RENEWED out in full)."""
    if c.status == "RENEWED" and c.ci_end_date is not None:
        return f"保至 {c.ci_end_date.isoformat()}"
    return days_phrase(c)


MatchRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class MatchModel(QAbstractTableModel):
    """Lookup matches: plate, status word + symbol, days in words, owner and phone (masked).

    Status and days come right after the plate so they never fall off a narrow (1024 px) list;
    the masked phone tells two 林** apart."""

    PLATE, STATUS, DAYS, OWNER, PHONE = range(5)
    updated = Signal(int)  # the generation of the query whose matches were applied

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[LookupMatch] = []
        self.generation = 0

    def headers(self) -> list[str]:
        return [self.tr("Plate"), self.tr("Status"), self.tr("Days"), self.tr("Owner"), self.tr("Phone")]

    # -- data -----------------------------------------------------------------------------------
    def set_matches(self, matches: list[LookupMatch], generation: int = 0) -> None:
        self.beginResetModel()
        self._rows = list(matches)
        self.generation = generation
        self.endResetModel()
        self.updated.emit(generation)

    def clear(self, generation: int = 0) -> None:
        self.set_matches([], generation)

    def matches(self) -> list[LookupMatch]:
        return list(self._rows)

    def match_at(self, row: int) -> LookupMatch | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, vehicle_id: str) -> int:
        for i, m in enumerate(self._rows):
            if m.vehicle_id == vehicle_id:
                return i
        return -1

    def replace(self, match: LookupMatch) -> None:
        """Swap in a refreshed match (after recording an outcome) without resetting the view."""
        row = self.row_of(match.vehicle_id)
        if row >= 0:
            self._rows[row] = match
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else 5

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        m = self._rows[index.row()]
        if role == MatchRole:
            return m
        if role == StatusRole:
            return m.coverage.status
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            col = index.column()
            if col == self.PLATE:
                return m.plate or m.vin or ""
            if col == self.OWNER:
                return m.owner or ""
            if col == self.STATUS:
                st = m.coverage.status
                return f"{STATUS_SYMBOL[st]} {STATUS_LABEL[st]}"
            if col == self.DAYS:
                return list_days_phrase(m.coverage)
            if col == self.PHONE:
                return m.phone or ""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            h = self.headers()
            return h[section] if 0 <= section < len(h) else None
        return None
