"""今日工作: the renewal specialist's day — tab buttons with counts, a bar chart of them, the rows
of the chosen list, and 记录联系 for the selected row. Hooked into the main window by one call,
`install(window, runner)`, which also puts 续保率报表 on the 续保 menu for supervisors.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QEvent, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.wording import STATUS_LABEL, STATUS_SYMBOL
from desktop.services.auth import StaffSession
from desktop.services.worklist import TABS, WorkLists, WorkRow

from .bar_chart import Bar, BarChart
from .contact_dialog import ContactDialog
from .menus import make_action
from .renewal_backend import RenewalBackend
from .tasks import TaskRunner

REMINDER_COLUMN = 6
REMINDER_DAYS = 92  # a renewal window (lead days default 90) and a little: later reminders are not today's work


class WorkRowsModel(QAbstractTableModel):
    """Rows of one work list (plain WorkRow dataclasses; owners already masked)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[WorkRow] = []
        self.today: date | None = None
        self.headers = [self.tr("Plate"), self.tr("Owner"), self.tr("Status"), self.tr("Days left"),
                        self.tr("Last contact"), self.tr("Next planned"), self.tr("Reminder"),
                        self.tr("Assigned to"), self.tr("This week")]

    def set_rows(self, rows: list[WorkRow], today: date | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.today = today
        self.endResetModel()

    def reminder_cell(self, r: WorkRow) -> str:
        """The reminders this renewal is about: the nearest, and any other inside the renewal
        window. A 年检 a year away is not today's work and pushed 负责人 off the screen; it stays
        in the tooltip, on the card and in the CLI."""
        near = [x for i, x in enumerate(r.reminders)
                if i == 0 or self.today is None or x.day <= self.today + timedelta(days=REMINDER_DAYS)]
        return "；".join(f"{x.label} {x.day.isoformat()}" for x in near) or "—"

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == REMINDER_COLUMN:
            return r.reminder_text or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        last = r.last_contact
        cells = [
            r.plate or "—",
            r.owner or "—",
            f"{STATUS_SYMBOL.get(r.status, '')} {STATUS_LABEL.get(r.status, r.status)}",
            "—" if r.days_left is None else str(r.days_left),
            "—" if not last else " ".join(x for x in (last["date"][5:], last["channel_label"], last["result_label"],
                                                       last["by"]) if x),
            r.next_date.isoformat() if r.next_date else "—",
            self.reminder_cell(r),
            r.assigned_to or self.tr("Unassigned"),
            str(r.week_attempts),
        ]
        return cells[index.column()]


class WorklistTab(QWidget):
    def __init__(self, runner: TaskRunner, backend: RenewalBackend, session: StaffSession,
                 open_plate=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner, self.backend, self.session, self.open_plate = runner, backend, session, open_plate
        self.lists: WorkLists | None = None
        self.current = "today"
        self.labels = {"today": self.tr("Due today"), "week": self.tr("Next 7 days"),
                       "overdue": self.tr("Overdue"), "lapsing": self.tr("About to lapse"),
                       "lapsed": self.tr("Lapsed"), "visits": self.tr("Promised visits"),
                       "done": self.tr("Done this month")}
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        tabs_row = QGridLayout()  # two rows: the labels with their counts must never be cut off
        for i, t in enumerate(TABS):
            b = QPushButton(self.labels[t], objectName=f"tab_{t}")
            b.setCheckable(True)
            b.clicked.connect(partial(self.show_tab, t))
            self.group.addButton(b)
            self.buttons[t] = b
            tabs_row.addWidget(b, i // 4, i % 4)
            b.setMinimumHeight(b.fontMetrics().height() * 2 + 16)
        self.columns = 4  # of tab buttons; fewer on a narrow pane (reflow_buttons), never a cut label
        self.buttons["today"].setChecked(True)
        self.chart = BarChart()
        self.title = QLabel(objectName="cardLine")
        self.note = QLabel(objectName="cardSmall")
        self.note.setWordWrap(True)
        self.model = WorkRowsModel(self)
        self.table = QTableView(objectName="workRows")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)  # a stretched last header can end up cut
        self.table.verticalHeader().setVisible(False)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.refresh_btn = QPushButton(self.tr("Refresh"), objectName="refreshWork")
        self.refresh_btn.clicked.connect(self.refresh)
        self.contact_btn = QPushButton(self.tr("Record contact…"), objectName="contactBtn")
        self.contact_btn.clicked.connect(self.open_contact)
        self.open_btn = QPushButton(self.tr("Open card"), objectName="openCard")
        self.open_btn.clicked.connect(self.open_selected)
        actions = QHBoxLayout()
        for b in (self.open_btn, self.contact_btn, self.refresh_btn):
            actions.addWidget(b)
        actions.addStretch(1)
        self.tabs_row = tabs_row
        self.actions = actions
        lay = QVBoxLayout(self)
        lay.addLayout(tabs_row)
        lay.addWidget(self.chart)
        lay.addWidget(self.title)
        lay.addLayout(actions)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.note)
        self.dialog: ContactDialog | None = None
        self.resized = None  # set by install(): widen the window's list pane
        self.requested = False  # the first build is asked for lazily (see install)
        self.show_counting()

    MIN_ROWS = 6  # the list is the work: the chart gives way before the rows do

    def table_min_height(self) -> int:
        header = self.table.horizontalHeader().sizeHint().height()
        row = self.table.verticalHeader().defaultSectionSize()
        return header + self.MIN_ROWS * row + self.table.horizontalScrollBar().sizeHint().height() + 4

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # On a short window (1024×768, or 大字模式) the chart would squeeze the rows to one or two:
        # hide it then; the tab buttons still give every count in words and numbers.
        others = (self.tabs_row.sizeHint().height() + self.title.sizeHint().height()
                  + self.actions.sizeHint().height() + self.note.sizeHint().height() + 5 * self.layout().spacing()
                  + self.layout().contentsMargins().top() + self.layout().contentsMargins().bottom())
        room = event.size().height() - others - self.table_min_height()
        self.chart.setVisible(room >= self.chart.sizeHint().height())
        self.reflow_buttons(event.size().width())
        super().resizeEvent(event)
        if self.resized is not None:
            self.resized()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange) and hasattr(self, "columns"):
            self.reflow_buttons(self.width())  # 大字模式 on or off: the labels' widths changed

    def reflow_buttons(self, width: int) -> None:
        """4, 3 or 2 tab buttons a row, as many as fit whole: with a card beside the list at 1024 in
        大字模式 four a row cut 今日待办 to 日待. The pane never gets narrower than two a row."""
        need = max(b.sizeHint().width() for b in self.buttons.values())
        gap = max(self.tabs_row.horizontalSpacing(), 6)
        m = self.layout().contentsMargins()
        self.setMinimumWidth(2 * need + gap + m.left() + m.right())
        for b in self.buttons.values():
            b.setMinimumWidth(need)
        cols = max(2, min(4, (width - m.left() - m.right() + gap) // (need + gap)))
        if cols == self.columns:
            return
        self.columns = cols
        for b in self.buttons.values():
            self.tabs_row.removeWidget(b)
        for i, t in enumerate(TABS):
            self.tabs_row.addWidget(self.buttons[t], i // cols, i % cols)

    # -- data -----------------------------------------------------------------------------------
    def ensure_built(self, *_a) -> None:
        """The first build, once: when the tab is shown, after the first search answer, or after
        FALLBACK_MS (install). Never at log-in, where it would compete with the first search."""
        if not self.requested:
            self.refresh()

    def show_counting(self) -> None:
        """Counts being (re)built: say so rather than show numbers that may be stale."""
        counting = self.tr("Counting…")
        for t, b in self.buttons.items():
            b.setText(f"{self.labels[t]}\n{counting}")
        self.title.setText(counting)

    def refresh(self) -> None:
        self.requested = True
        self.refresh_btn.setEnabled(False)
        self.show_counting()
        # The read lane: seconds at a million vehicles, and the counter's searches and writes on
        # the db lane go on meanwhile (the build only reads, through its own WAL snapshot).
        self.runner.read(partial(self.backend.worklists, self.session), on_done=self.set_lists,
                         on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.refresh_btn.setEnabled(True)
        if self.lists is not None:
            self.set_lists(self.lists)  # the last counts again, not "counting" for ever
        else:
            for t, b in self.buttons.items():
                b.setText(self.labels[t])
            self.title.setText("")
        self.runner.error.emit(exc)  # the window says what went wrong

    def set_lists(self, lists: WorkLists) -> None:
        self.lists = lists
        self.refresh_btn.setEnabled(True)
        counts = lists.counts()
        for t, b in self.buttons.items():
            b.setText(self.tr("%1\n%2 vehicles").replace("%1", self.labels[t]).replace("%2", str(counts[t])))
        self.reflow_buttons(self.width())
        self.chart.set_bars([Bar(self.labels[t], counts[t], self.tr("%1 vehicles").replace("%1", str(counts[t])))
                             for t in TABS])
        who = self.tr("everyone's") if self.session.may("supervisor") else self.tr("yours and unassigned")
        note = self.tr("Lists as of %1, %2.").replace("%1", lists.today.isoformat()).replace("%2", who)
        if lists.capped:
            note += " " + self.tr("%1 more reached the contact limit for today or this week.").replace(
                "%1", str(lists.capped))
        self.note.setText(note)
        self.show_tab(self.current)

    def show_tab(self, tab: str, *_a) -> None:
        self.current = tab
        self.buttons[tab].setChecked(True)
        if self.lists is None:  # the first build is still running: no numbers yet
            self.model.set_rows([])
            self.title.setText(self.tr("Counting…"))
            return
        rows = self.lists.tabs[tab] if self.lists else []
        total = self.lists.counts()[tab] if self.lists else 0
        self.model.set_rows(rows, self.lists.today if self.lists else None)
        title = self.tr("%1: %2 vehicles").replace("%1", self.labels[tab]).replace("%2", str(total))
        if len(rows) < total:  # a big store: the count is the whole list, the rows its first page
            title += " " + self.tr("(showing the first %1)").replace("%1", str(len(rows)))
        self.title.setText(title)

    def selected(self) -> WorkRow | None:
        idx = self.table.selectionModel().selectedRows()
        return self.model.rows[idx[0].row()] if idx else None

    # -- actions --------------------------------------------------------------------------------
    def open_selected(self) -> None:
        row = self.selected()
        if row is not None and self.open_plate is not None and row.plate:
            self.open_plate(row.plate)

    def open_contact(self) -> ContactDialog | None:
        row = self.selected()
        if row is None:
            self.note.setText(self.tr("Choose a vehicle in the list first."))
            return None
        today = self.lists.today if self.lists else self.backend.base.now().date()

        def submit(action, payload, on_done, on_error):
            fn = {"contact": self.backend.record_contact, "stop": self.backend.stop_contact,
                  "close": self.backend.close_until}[action]
            self.runner.db(partial(fn, self.session, row.vehicle_id, payload), on_done=on_done, on_error=on_error)

        dlg = ContactDialog(row, self.backend.loss_reasons(), today, submit, self)
        dlg.accepted.connect(self.refresh)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.dialog = dlg
        return dlg


LIST_SHARE = 0.66           # of the width, for the list while no card is open beside it (every column at 1600)
LIST_SHARE_WITH_CARD = 0.4  # the window's own search/card split (520:760)
FALLBACK_MS = 3000  # no search and the tab not shown by then: build the counts anyway


def install(window, runner: TaskRunner) -> WorklistTab:
    """The 今日工作 tab beside the search, and 续保率报表 on the 续保 menu (supervisors).

    The tab's counts are built lazily (issue 10 item 1): the first search after log-in goes
    first; the build starts when the tab is shown, when the first search is answered, or after
    FALLBACK_MS, whichever comes first, and runs on the read lane beside the searches."""
    from .renewal_report_dialog import RenewalReportDialog

    backend = RenewalBackend(window.backend)
    tab = WorklistTab(runner, backend, window.session, lambda plate: window.open_query(plate, None))
    window.add_tab(tab, QCoreApplication.translate("WorklistTab", "Today's work"))
    window.worklist_tab = tab

    def arrange(*_a) -> None:
        # Who gets the width while 今日工作 is shown: the list (two thirds) while the card pane is empty,
        # the card (60%, as beside the search) once a card is opened from the list — at 1024 the
        # list's share used to leave the card a 70 px sliver of one character per line. Never
        # below either pane's minimum.
        split = getattr(window, "split", None)
        if split is None or window.tabs.currentWidget() is not tab:
            return
        total = sum(split.sizes())
        share = LIST_SHARE_WITH_CARD if window.card.match is not None else LIST_SHARE
        left = max(int(total * share), window.tabs.minimumSizeHint().width())
        left = min(left, total - split.widget(1).minimumSizeHint().width())
        if abs(split.sizes()[0] - left) > 2:
            split.setSizes([left, total - left])

    def later(*_a) -> None:
        # after the splitter has shared out a resize itself (a setSizes inside it is overwritten)
        QTimer.singleShot(0, tab, arrange)

    def back_to_search(_index: int) -> None:
        split = getattr(window, "split", None)
        if split is not None and window.tabs.currentWidget() is window.search:
            total = sum(split.sizes())
            left = max(int(total * LIST_SHARE_WITH_CARD), window.search.minimumSizeHint().width())
            split.setSizes([left, total - left])

    window.tabs.currentChanged.connect(later)
    window.tabs.currentChanged.connect(back_to_search)
    window.card_shown.connect(later)
    window.tabs.currentChanged.connect(lambda _i: window.tabs.currentWidget() is tab and tab.ensure_built())
    window.search.model.updated.connect(tab.ensure_built)
    QTimer.singleShot(FALLBACK_MS, tab, tab.ensure_built)
    tab.resized = later  # the window was resized (the splitter shares it 2:3 again)

    def open_report() -> RenewalReportDialog:
        dlg = RenewalReportDialog(runner, backend, window.session, window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        window.renewal_report_dialog = dlg
        return dlg

    act = make_action(window, QCoreApplication.translate("WorklistTab", "Renewal rate report…"), open_report, None, "renewalReportAction")
    act.setVisible(window.session.may("supervisor"))
    window.add_menu_action("work", act)
    window.open_renewal_report = open_report
    return tab
