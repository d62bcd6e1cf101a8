"""One large search box for every query form, results as you type, never blocking typing.

Keystrokes are coalesced (~30 ms) into one query on the database lane. Each query carries a
generation number; a newer keystroke cancels the older query (taken off the queue if it has not
started) and a result whose generation is not the latest is dropped, never applied.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.lookup import LookupMatch

from .models import MatchModel
from .tasks import TaskHandle, TaskRunner

COALESCE_MS = 30  # long enough to merge a burst of keys, short enough to feel instant


class SearchPanel(QWidget):
    open_requested = Signal(str, object)  # (query, LookupMatch | None): Enter, double-click
    register_requested = Signal(str)      # the query, to prefill the register dialog
    current_changed = Signal(object)      # the selected LookupMatch, or None (the card follows it)

    def __init__(self, runner: TaskRunner, find: Callable, parent: QWidget | None = None,
                 coalesce_ms: int = COALESCE_MS):
        super().__init__(parent)
        self.runner, self._find = runner, find
        self.generation = 0
        self._inflight: TaskHandle | None = None
        self._last_query = ""

        self.box = QLineEdit(objectName="searchBox")
        self.box.setPlaceholderText(self.tr("Plate, VIN, phone, ID number or name"))
        self.box.setClearButtonEnabled(True)
        self.box.setAccessibleName(self.tr("Search"))
        self.box.installEventFilter(self)
        self.hint = QLabel(self.tr("Type a plate (e.g. 京A12345), the last 6 of the VIN, a phone, "
                                   "the last 4 of the ID number, or the owner's name or initials."))
        self.hint.setObjectName("cardSmall")
        self.hint.setWordWrap(True)

        self.model = MatchModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        head = self.view.horizontalHeader()
        # Plate, status and days keep their whole text (they come first, so they stay in view on a
        # 1024 px screen); owner and phone follow and scroll sideways if the list is narrow.
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(True)
        self.view.doubleClicked.connect(lambda idx: self._open(idx.row()))
        self.view.installEventFilter(self)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table (arrows move inside it)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._emit_current())

        self.count = QLabel(objectName="cardSmall")
        self.count.hide()
        self.not_found = QLabel(objectName="notFound")
        self.not_found.setWordWrap(True)
        self.register_btn = QPushButton(self.tr("Register this vehicle"))
        self.register_btn.clicked.connect(lambda: self.register_requested.emit(self.box.text().strip()))
        nf = QHBoxLayout()
        nf.addWidget(self.not_found, 1)
        nf.addWidget(self.register_btn)
        self.not_found_row = QWidget()
        self.not_found_row.setLayout(nf)
        self.not_found_row.hide()

        lay = QVBoxLayout(self)
        lay.addWidget(self.box)
        lay.addWidget(self.hint)
        lay.addWidget(self.not_found_row)
        lay.addWidget(self.count)
        lay.addWidget(self.view, 1)

        self._timer = QTimer(self, singleShot=True, interval=coalesce_ms)
        self._timer.timeout.connect(self._run_query)
        self.box.textEdited.connect(self._on_edited)
        self.model.modelReset.connect(self._select_first)

    # -- typing ---------------------------------------------------------------------------------
    def _on_edited(self, _text: str) -> None:
        self.generation += 1  # any result for older text is now stale
        self._timer.start()

    def _run_query(self) -> None:
        query = self.box.text().strip()
        gen = self.generation
        self.runner.cancel(self._inflight)  # stale: off the queue, or its result is dropped
        self._inflight = None
        self._last_query = query
        if not query:
            self.not_found_row.hide()
            self.model.clear(gen)
            return
        self._inflight = self.runner.db(partial(self._find, query), on_done=partial(self._apply, gen, query),
                                        on_error=partial(self._failed, gen))

    def _apply(self, gen: int, query: str, matches: list[LookupMatch]) -> None:
        if gen != self.generation:
            return  # a newer keystroke came in: drop, never apply
        self._inflight = None
        self.model.set_matches(matches, gen)
        self.count.setText(self.tr("%1 vehicles found").replace("%1", str(len(matches))) if len(matches) < 50
                           else self.tr("The first 50 vehicles: type more to narrow the list"))
        self.count.setVisible(bool(matches))
        if matches:
            self.not_found_row.hide()
        else:
            self.not_found.setText(self.tr('Not found: no vehicle matches "%1". Check the spelling, or try '
                                           "the last 6 of the VIN or the phone number.").replace("%1", query))
            self.not_found_row.show()

    def _failed(self, gen: int, exc: BaseException) -> None:
        if gen == self.generation:
            self._inflight = None
            self.runner.error.emit(exc)

    def show_results(self, query: str, matches: list[LookupMatch]) -> None:
        """Results of a deliberate lookup (Enter before the as-you-type query ran): the list shows
        exactly what the card was picked from."""
        self._timer.stop()
        self.runner.cancel(self._inflight)
        self.generation += 1
        self._last_query = query
        self._apply(self.generation, query, matches)

    def select_vehicle(self, vehicle_id: str) -> None:
        row = self.model.row_of(vehicle_id)
        if row >= 0 and (self.selected() is None or self.selected().vehicle_id != vehicle_id):
            self.view.selectRow(row)

    def search_now(self, text: str) -> None:
        """Put `text` in the box and query at once (used after registering a vehicle)."""
        self.box.setText(text)
        self.generation += 1
        self._timer.stop()
        self._run_query()

    def clear(self) -> None:
        self.box.clear()
        self.generation += 1
        self._timer.stop()
        self.runner.cancel(self._inflight)
        self._inflight = None
        self.not_found_row.hide()
        self.count.hide()
        self.model.clear(self.generation)
        self.box.setFocus()

    # -- keys -----------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt override
        if ev.type() == QEvent.Type.KeyPress and obj in (self.box, self.view):
            key = ev.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open(self.view.currentIndex().row() if self.view.currentIndex().isValid() else 0)
                return True
            if key == Qt.Key.Key_Escape:
                self.clear()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and obj is self.box:
                self._move(1 if key == Qt.Key.Key_Down else -1)
                return True
        return super().eventFilter(obj, ev)

    def _move(self, step: int) -> None:
        n = self.model.rowCount()
        if not n:
            return
        cur = self.view.currentIndex().row() if self.view.currentIndex().isValid() else -1
        row = min(max(cur + step, 0), n - 1)
        self.view.selectRow(row)

    def _select_first(self) -> None:
        if self.model.rowCount():
            self.view.selectRow(0)
        self._emit_current()

    def selected(self) -> LookupMatch | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.match_at(rows[0].row()) if rows else None

    def _emit_current(self) -> None:
        self.current_changed.emit(self.selected())

    def _open(self, row: int) -> None:
        query = self.box.text().strip()
        if self._timer.isActive() or (query and query != self._last_query):
            # Enter before the coalesced query ran: query now, the open request resolves it.
            self._timer.stop()
            self.open_requested.emit(query, None)
            return
        m = self.model.match_at(row)
        if query:
            self.open_requested.emit(query, m)
