"""The walk-in card: one vehicle's 交强险 answer in large type, with where every figure came from.

Status is a LARGE word plus a symbol (never colour alone). Personal fields are masked; the full
values appear only after the audited, role-gated reveal.
"""
from __future__ import annotations

from datetime import datetime
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.core import cadence
from desktop.core.status import LAPSED, Term
from desktop.core.timeutil import to_cst
from desktop.core.wording import (
    STATUS_LABEL,
    STATUS_SYMBOL,
    ci_end_phrase,
    cn_date,
    days_phrase,
    end_date_phrase,
    lapse_consequences,
    next_start_warning,
)
from desktop.rates import lapse_fine_example
from desktop.services import card_facts, renewal_facts
from desktop.services.lookup import LookupMatch
from desktop.services.record import OUTCOME_LABEL
from desktop.services.reveal import Revealed

from .card_dialogs import FloatNoticeDialog, InspectionDialog, VehicleClassDialog
from .card_facts_view import CardFactsView

REVEAL_MS = 30_000  # long enough to read a number to the customer, short enough not to be left open


def _label(name: str = "cardLine", wrap: bool = True) -> QLabel:
    lab = QLabel(objectName=name)
    lab.setWordWrap(wrap)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


class CardWidget(QWidget):
    record_requested = Signal(object)   # LookupMatch
    reveal_requested = Signal(str)      # vehicle id
    print_requested = Signal(object)    # LookupMatch
    scroll_to_top = Signal()            # a different card: the scroll area goes back to the top
    facts_shown = Signal(object)        # CardFacts, once they arrived from the database lane

    def __init__(self, stale_after_days: int = 30, can_reveal: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.stale_after_days = stale_after_days
        self.match: LookupMatch | None = None
        self.now = datetime.now
        # the store's contact-frequency cap (per day, per week); the main window sets it from the
        # settings, so the card shows the limit the lists enforce
        self.contact_cap: tuple[int, int] = (1, 3)

        self.empty = QLabel(self.tr("Look up a vehicle to see its compulsory insurance (交强险) here."))
        self.empty.setObjectName("cardLine")
        self.empty.setWordWrap(True)
        self.plate = _label("cardPlate", wrap=False)
        self.owner = _label()
        self.status_word = _label("statusWord", wrap=False)
        self.status_word.setAccessibleName(self.tr("Status"))
        self.days = _label("daysLine")
        box = QFrame(objectName="statusBox")
        bl = QVBoxLayout(box)
        bl.addWidget(self.status_word)
        bl.addWidget(self.days)
        self.status_box = box
        self.ci_end = _label()
        self.next_start = _label("cardWarn")
        self.bi_end = _label()
        self.insurer = _label()
        self.source = _label("cardSmall")
        self.stale = _label("cardWarn")
        self.gaps = _label()
        self.lapse = _label("cardWarn")
        self.contacts = _label("cardSmall")  # renewal contact cap (issue 13): "本周已联系 2 次"
        self.gone = _label("cardLine")
        # VIN, class, 车船税, 年检, reminder, premium 估算, history: loaded on the lane (attach()).
        self.facts_view = fv = CardFactsView(self)
        self.history = fv.history  # outcomes, contacts, prints and terms, with year and policy number
        self._runner = self._card_backend = self._session = None
        self._facts_gen = 0  # only the newest load may fill the card
        fv.float_btn.clicked.connect(self.open_float_notice)
        fv.inspection_btn.clicked.connect(self.open_inspection)
        fv.class_btn.clicked.connect(self.open_vehicle_class)

        self.record_btn = QPushButton(self.tr("Record what happened"))
        self.reveal_btn = QPushButton(self.tr("Show full phone and ID"))
        self.reveal_why = _label("cardSmall")
        self.print_btn = QPushButton(self.tr("Print"))
        self.record_btn.setToolTip(self.tr("Record what happened (Ctrl+R)"))
        self.print_btn.setToolTip(self.tr("Print the status slip (Ctrl+P)"))
        # Revealed values go back under the mask after a short time or on the next card.
        self.reveal_ms = REVEAL_MS
        self._hide_timer = QTimer(self, singleShot=True)
        self._hide_timer.timeout.connect(self.hide_revealed)
        self.revealed: Revealed | None = None
        self.record_btn.clicked.connect(lambda: self.match and self.record_requested.emit(self.match))
        self.reveal_btn.clicked.connect(lambda: self.match and self.reveal_requested.emit(self.match.vehicle_id))
        self.print_btn.clicked.connect(lambda: self.match and self.print_requested.emit(self.match))
        # Two rows, so the buttons fit a narrow card (1024 px in 大字模式) instead of being cut off.
        buttons = QGridLayout()
        buttons.addWidget(self.record_btn, 0, 0)
        buttons.addWidget(self.print_btn, 0, 1)
        buttons.addWidget(self.reveal_btn, 1, 0, 1, 2)
        buttons.addWidget(fv.float_btn, 2, 0)
        buttons.addWidget(fv.inspection_btn, 2, 1)
        buttons.addWidget(fv.class_btn, 3, 0, 1, 2)
        buttons.setColumnStretch(2, 1)

        self.body = QWidget()
        lay = QVBoxLayout(self.body)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.plate, self.owner, fv.vehicle, self.status_box, self.ci_end, fv.tax, self.next_start,
                  self.bi_end, self.insurer, self.source, self.stale, fv.reminder, fv.inspection, fv.inspection_rule,
                  self.gaps, self.gone, self.lapse, fv.premium, fv.premium_note, self.contacts):
            lay.addWidget(w)
        lay.addLayout(buttons)
        lay.addWidget(self.reveal_why)
        # the history can run long: below the buttons, so 记录/打印 never need a scroll past it
        lay.addWidget(fv.history_title)
        lay.addWidget(fv.history)
        lay.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addWidget(self.empty)
        outer.addWidget(self.body)
        self.set_can_reveal(can_reveal)
        self.show_match(None)

    def set_can_reveal(self, allowed: bool) -> None:
        """A clerk sees the button disabled and, in words, why and whom to ask."""
        self.reveal_btn.setEnabled(allowed)
        self.reveal_btn.setVisible(True)
        why = (self.tr("Shows the full values for %1 seconds; you give a reason, and it is audited.")
               .replace("%1", str(REVEAL_MS // 1000)) if allowed else
               self.tr("Full phone and ID numbers are for supervisors only (personal data protection). "
                       "Ask a supervisor if the customer needs them checked."))
        self.reveal_btn.setToolTip(why)
        self._set(self.reveal_why, None if allowed else why)

    # -- filling --------------------------------------------------------------------------------
    def show_match(self, m: LookupMatch | None) -> None:
        if m is None or self.match is None or m.vehicle_id != self.match.vehicle_id:
            # Another car (or none): a new card starts at the top, revealed values are gone.
            self.revealed = None
            self._hide_timer.stop()
            self.facts_view.clear()
            self.scroll_to_top.emit()
        self.match = m
        self.empty.setVisible(m is None)
        self.body.setVisible(m is not None)
        if m is None:
            return
        self.load_facts()
        c = m.coverage
        self.plate.setText(m.plate or m.vin or "")
        self._owner_line(m)
        self.status_word.setText(f"{STATUS_SYMBOL[c.status]} {STATUS_LABEL[c.status]}")
        self.days.setText(days_phrase(c))
        self._set(self.ci_end, c.ci_end_date and self.tr("Last covered day: %1").replace(
            "%1", ci_end_phrase(c)))
        self._set(self.next_start, next_start_warning(c))
        self._set(self.bi_end, c.bi_end_date and self.tr("Commercial insurance (商业险) ends: %1").replace(
            "%1", end_date_phrase(c.bi_end_date)))
        src = c.source_term or self._latest_ci(m)
        self._set(self.insurer, src and src.insurer and self.tr("Insurer: %1").replace("%1", src.insurer))
        self._set(self.source, self._source_line(src))
        self._set(self.stale, self._stale_line(src))
        self._set(self.gaps, self._gaps_line(m))
        gone = m.last_outcome in ("sold", "scrapped")  # no fine warning for a car that left the owner
        self._set(self.lapse, "\n".join("• " + s for s in lapse_consequences(lapse_fine_example()))
                  if c.status == LAPSED and not gone else None)
        self._set(self.gone, OUTCOME_LABEL[m.last_outcome or ""] + self.tr(" (recorded): no reminders are sent.")
                  if gone else None)
        self._set(self.contacts, self._contacts_line(m))

    def _contacts_line(self, m: LookupMatch) -> str | None:
        facts = renewal_facts.facts_of(m.bundle.events)
        stop = cadence.stopped(facts)
        if stop is not None:
            return self.tr("Contact stopped on %1 (%2)").replace("%1", stop.day.isoformat()).replace(
                "%2", stop.reason or "—")
        w = card_facts.contact_week(facts, to_cst(self.now()).date(), *self.contact_cap)
        if w.week:
            line = (self.tr("Contacted %1 times this week (%2 reached, %3 not reached; only reached ones count)")
                    .replace("%1", str(w.week)).replace("%2", str(w.reached)).replace("%3", str(w.week - w.reached)))
        else:
            line = self.tr("Not contacted this week")
        line += self.tr("; limit %1 a day, %2 a week").replace("%1", str(w.per_day)).replace("%2", str(w.per_week))
        if w.blocked_week:
            line += self.tr(" — this week's limit is reached, no more calls before Monday")
        elif w.blocked_today:
            line += self.tr(" — today's limit is reached, call again tomorrow")
        return line

    def show_revealed(self, r: Revealed) -> None:
        if self.match is None or r.vehicle_id != self.match.vehicle_id:
            return
        self.revealed = r
        self.owner.setText(self.tr("Owner: %1    Phone: %2").replace("%1", r.name or "—")
                           .replace("%2", r.phone or "—")
                           + "\n" + self.tr("ID number: %1").replace("%1", r.id_number or "—"))
        self._hide_timer.start(self.reveal_ms)

    def hide_revealed(self) -> None:
        """Back under the mask (the timer, the next search, the lock)."""
        self._hide_timer.stop()
        if self.revealed is None:
            return
        self.revealed = None
        if self.match is not None:
            self._owner_line(self.match)

    def _owner_line(self, m: LookupMatch) -> None:
        self.owner.setText(self.tr("Owner: %1    Phone: %2").replace("%1", m.owner or "—")
                           .replace("%2", m.phone or "—"))

    @staticmethod
    def _latest_ci(m: LookupMatch) -> Term | None:
        """PENDING has no current term: the figures then come from the coming one."""
        ci = [t for t in m.bundle.terms if t.kind == "CI"]
        return max(ci, key=lambda t: t.start_at) if ci else None

    @staticmethod
    def _set(label: QLabel, text: str | None) -> None:
        label.setText(text or "")
        label.setVisible(bool(text))

    def _source_line(self, t: Term | None) -> str | None:
        if t is None:
            return None
        src = t.source or ""
        if src == "counter":
            where = self.tr("recorded at this counter")
        elif src == "hq":
            where = self.tr("head office")
        elif src.startswith("import:"):
            facts = self.facts_view.facts
            named = facts.sources.get(src) if facts is not None else None
            where = (self.tr("imported file %1").replace("%1", named) if named else
                     self.tr("an imported file") if facts is None else
                     self.tr("an imported file (its name is not recorded on this counter)"))
        else:
            where = src or self.tr("unknown")
        as_of = cn_date(to_cst(t.as_of).date()) if t.as_of else self.tr("unknown")
        return (self.tr("Source: %1 · as of %2 · verified by %3").replace("%1", where).replace("%2", as_of)
                .replace("%3", t.verified_by or self.tr("nobody")))

    def _stale_line(self, t: Term | None) -> str | None:
        if t is None:
            return None
        if t.as_of is None:
            return self.tr("▲ May be out of date (可能已过时): no as-of date")
        age = (to_cst(self.now()).date() - to_cst(t.as_of).date()).days
        if age > self.stale_after_days:
            return self.tr("▲ May be out of date (可能已过时): checked %1 days ago").replace("%1", str(age))
        return None

    def _gaps_line(self, m: LookupMatch) -> str | None:
        """Past holes under 断档; a hole still to come (the next cover starts after this one ends)
        listed apart, since the car is covered today."""
        today = to_cst(self.now()).date()
        past = [g for g in m.coverage.gaps if g.to_date < today]
        coming = [g for g in m.coverage.gaps if g.to_date >= today]
        lines: list[str] = []
        for title, gaps in ((self.tr("Gaps in cover (断档):"), past),
                            (self.tr("Coming gap in cover (即将断档, not yet begun):"), coming)):
            if gaps:
                lines.append(title)
            for g in gaps:
                lines.append("• " + self.tr("%1 to %2 (%3 days)").replace("%1", cn_date(g.from_date))
                             .replace("%2", cn_date(g.to_date)).replace("%3", str(g.days)))
        return "\n".join(lines) or None

    # -- facts from the database lane (VIN, class, 车船税, 年检, premium 估算, history) ------------
    def attach(self, runner, card_backend, session) -> None:
        """`session()` gives the staff member now at the counter (switch user changes it)."""
        self._runner, self._card_backend, self._session = runner, card_backend, session
        if self.match is not None:
            self.load_facts()

    def vehicle_tax_for(self, vehicle_id: str):
        """The 车船税 the card's facts hold for this vehicle (the slip prints it), else None."""
        f = self.facts_view.facts
        return f.vehicle_tax if f is not None and f.vehicle_id == vehicle_id else None

    def load_facts(self) -> None:
        if self._runner is None or self.match is None:
            return
        vid = self.match.vehicle_id
        self._facts_gen = gen = self._facts_gen + 1
        self._runner.db(partial(self._card_backend.facts, self._session(), vid),
                        on_done=lambda f: self._facts_arrived(vid, gen, f))

    def _facts_arrived(self, vehicle_id: str, gen: int, facts) -> None:
        if self.match is None or self.match.vehicle_id != vehicle_id or gen != self._facts_gen:
            return  # the clerk has moved on to another car, or a newer load is on its way
        self.facts_view.show_facts(facts, self.match.vin)
        self._set(self.source, self._source_line(self.match.coverage.source_term or self._latest_ci(self.match)))
        self.facts_shown.emit(facts)

    def _submit(self, fn, values, on_done, on_error) -> None:
        vid = self.match.vehicle_id

        def done(result) -> None:
            on_done(result)
            self.load_facts()

        self._runner.db(partial(fn, self._session(), vid, *values), on_done=done, on_error=on_error)

    def open_float_notice(self) -> FloatNoticeDialog | None:
        if self.match is None or self._runner is None:
            return None
        dlg = FloatNoticeDialog(self.match.plate or "", partial(self._submit, self._card_backend.record_float), self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.float_dialog = dlg
        return dlg

    def open_inspection(self) -> InspectionDialog | None:
        if self.match is None or self._runner is None:
            return None
        f = self.facts_view.facts
        computed = cn_date(f.inspection.due) if f and f.inspection else None
        dlg = InspectionDialog(self.match.plate or "", computed,
                               partial(self._submit, self._card_backend.override_inspection), self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.inspection_dialog = dlg
        return dlg

    def open_vehicle_class(self) -> VehicleClassDialog | None:
        if self.match is None or self._runner is None:
            return None
        dlg = VehicleClassDialog(self.match.plate or "", self._card_backend.uses(),
                                 partial(self._submit, self._card_backend.record_class), self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.vehicle_class_dialog = dlg
        return dlg
