"""The card's lines from services.card_facts: VIN and class, 车船税 beside 交强险, the 年检 date with
its rule, the merged reminder, the premium 估算 and the vehicle's history. The card puts each
label where it belongs; this only fills them (no database: the facts arrive from the lane)."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from desktop.core.inspection import KIND_LABEL
from desktop.core.reminders import CI, INSPECTION
from desktop.core.timeutil import to_cst
from desktop.core.wording import cn_date
from desktop.services.card_facts import CardFacts

HISTORY_SHOWN = 12


def _label(name: str) -> QLabel:
    lab = QLabel(objectName=name)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.hide()
    return lab


def _money(d) -> str:
    return f"{d:,.2f}".rstrip("0").rstrip(".") if d is not None else ""


class CardFactsView(QObject):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.vehicle = _label("cardLine")       # VIN and class, under the owner
        self.tax = _label("cardLine")           # 车船税, right under the 交强险 end
        self.inspection = _label("cardLine")    # 年检
        self.inspection_rule = _label("cardSmall")
        self.reminder = _label("cardLine")      # the one merged reminder
        self.premium = _label("cardLine")
        self.premium_note = _label("cardSmall")
        self.history_title = _label("cardLine")
        self.history = _label("cardSmall")
        self.history.setObjectName("cardHistory")
        self.float_btn = QPushButton(self.tr("Floating-rate notice…"), objectName="floatNoticeBtn")
        self.float_btn.setToolTip(self.tr("Record the coefficient on the insurer's 交强险费率浮动告知单"))
        self.inspection_btn = QPushButton(self.tr("Correct inspection date…"), objectName="inspectionBtn")
        self.inspection_btn.setToolTip(self.tr("Enter the 年检 date from the 行驶证 when it differs"))
        # shown only when the 年检 rule is unknown for want of a class (an imported car)
        self.class_btn = QPushButton(self.tr("Record use and seats…"), objectName="vehicleClassBtn")
        self.class_btn.setToolTip(self.tr("From the 行驶证: 使用性质 and 核定载人数, so the 年检 rule applies"))
        self.facts: CardFacts | None = None
        self.clear()

    def labels(self) -> list[QLabel]:
        return [self.vehicle, self.tax, self.inspection, self.inspection_rule, self.reminder, self.premium,
                self.premium_note, self.history_title, self.history]

    def clear(self) -> None:
        self.facts = None
        for lab in self.labels():
            self._set(lab, None)
        self.float_btn.setEnabled(False)
        self.inspection_btn.setEnabled(False)
        self.class_btn.setVisible(False)

    @staticmethod
    def _set(label: QLabel, text: str | None) -> None:
        label.setText(text or "")
        label.setVisible(bool(text))

    def show_facts(self, f: CardFacts, vin_fallback: str | None = None) -> None:
        self.facts = f
        self.float_btn.setEnabled(True)
        self.inspection_btn.setEnabled(True)
        self.class_btn.setVisible(f.class_missing)
        cls = f.class_name or (self.tr("class not in the rate table (%1)").replace("%1", f.class_stored)
                               if f.class_stored else self.tr("class unknown"))
        self._set(self.vehicle, self.tr("VIN: %1    Class: %2").replace("%1", f.vin or vin_fallback or "—")
                  .replace("%2", cls))
        self._set(self.tax, f.vehicle_tax is not None and self.tr(
            "Vehicle tax (车船税, paid with 交强险): %1 yuan (%2)").replace("%1", _money(f.vehicle_tax))
            .replace("%2", self.tr("%1 policy year").replace("%1", str(f.vehicle_tax_year))))
        self._inspection(f)
        self._reminder(f)
        self._premium(f)
        self._history(f)

    def _inspection(self, f: CardFacts) -> None:
        i = f.inspection
        if i is None:
            self._set(self.inspection, self.tr("Annual inspection (年检): %1").replace(
                "%1", f.inspection_problem or self.tr("unknown")))
            self._set(self.inspection_rule, None)
            return
        text = self.tr("Annual inspection (年检) valid until %1 · %2").replace("%1", cn_date(i.due)).replace(
            "%2", KIND_LABEL.get(i.kind, i.kind))
        if not i.confirmed:
            text += self.tr(" (estimate: rule not confirmed, check with the 车管所)")
        self._set(self.inspection, text)
        self._set(self.inspection_rule, self.tr("Rule: %1").replace("%1", i.rule))

    def _reminder(self, f: CardFacts) -> None:
        """Only a merged one: 交强险 and 车船税 already stand together above, the 年检 on its own line;
        when the 年检 falls due with the 交强险 the card says both are one visit, by which date."""
        merged = [r for r in f.reminders if CI in r.items and INSPECTION in r.items]
        self._set(self.reminder, "\n".join(self.tr("Due together, one visit: by %1 — %2").replace(
            "%1", cn_date(r.day)).replace("%2", r.label) for r in merged) or None)

    def _premium(self, f: CardFacts) -> None:
        p = f.premium
        if p is None:
            self._set(self.premium, self.tr("交强险 premium 估算: not possible"))
            self._set(self.premium_note, f.premium_problem)
            return
        self._set(self.premium, self.tr("交强险 premium 估算 (estimate): about %1 yuan").replace(
            "%1", _money(p.amount)))
        notes = [p.note]
        if p.coefficient_day is not None:
            notes.append(self.tr("Coefficient %1 from the insurer's notice, recorded %2").replace(
                "%1", p.coefficient or "").replace("%2", cn_date(p.coefficient_day)))
        if p.last_premium is not None:
            notes.append(self.tr("Last year's premium: %1 yuan (%2 policy year)").replace(
                "%1", _money(p.last_premium)).replace("%2", str(p.last_year)))
        notes.append(self.tr("The insurer's quote decides the real premium."))
        self._set(self.premium_note, "\n".join(notes))

    def _history(self, f: CardFacts) -> None:
        if not f.history:
            self._set(self.history_title, None)
            self._set(self.history, None)
            return
        self._set(self.history_title, self.tr("History (newest first):"))
        lines = []
        for r in f.history[:HISTORY_SHOWN]:
            extra = [x for x in (r.year and self.tr("%1 policy year").replace("%1", str(r.year)),
                                 r.policy_no and self.tr("policy %1").replace("%1", r.policy_no), r.staff) if x]
            lines.append(f"• {to_cst(r.at).date().isoformat()}  {r.what}" + (f"（{'，'.join(extra)}）" if extra else ""))
        if len(f.history) > HISTORY_SHOWN:
            lines.append(self.tr("… and %1 earlier entries").replace("%1", str(len(f.history) - HISTORY_SHOWN)))
        self._set(self.history, "\n".join(lines))
