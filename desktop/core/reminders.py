"""One merged reminder per vehicle per date (issue 13 item 5): 交强险 end, 年检 and 车船税.

车船税 is collected by the insurer with 交强险, so it always joins the 交强险 date; 年检 needs a
valid 交强险 (条例 第4条, domain-rules §2), so when it falls due within `together_days` of the
交强险 end the two are one visit and one reminder, dated by whichever comes first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CI, INSPECTION, VEHICLE_TAX = "ci", "inspection", "vehicle_tax"
ITEM_LABEL = {CI: "交强险", INSPECTION: "年检", VEHICLE_TAX: "车船税"}
TOGETHER_DAYS = 31


@dataclass(frozen=True)
class Reminder:
    day: date                 # the date to act by (the earliest item's)
    items: tuple[str, ...]    # ci, vehicle_tax, inspection, in that order

    @property
    def label(self) -> str:
        return " + ".join(ITEM_LABEL[i] for i in self.items)


def merged_reminders(ci_end: date | None, inspection_due: date | None, tax_known: bool,
                     together_days: int = TOGETHER_DAYS) -> tuple[Reminder, ...]:
    """The reminders for one vehicle, oldest date first; never two on the same date."""
    out: list[Reminder] = []
    if ci_end is not None:
        items = (CI, VEHICLE_TAX) if tax_known else (CI,)
        if inspection_due is not None and abs((inspection_due - ci_end).days) <= together_days:
            return (Reminder(min(ci_end, inspection_due), (*items, INSPECTION)),)
        out.append(Reminder(ci_end, items))
    if inspection_due is not None:
        out.append(Reminder(inspection_due, (INSPECTION,)))
    return tuple(sorted(out, key=lambda r: r.day))
