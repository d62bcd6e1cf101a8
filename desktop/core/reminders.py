"""One merged reminder per vehicle per date (issue 13 item 5): 交强险 end, 年检 and 车船税.

车船税 is collected by the insurer with 交强险, so it always joins the 交强险 date (unless the car is
outside the tax, see tax_with_ci: the card, the work tabs and the letters all ask it); 年检 needs a
valid 交强险 (条例 第4条, domain-rules §2), so when it falls due within `together_days` of the
交强险 end the two are one visit and one reminder, dated by whichever comes first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CI, INSPECTION, VEHICLE_TAX = "ci", "inspection", "vehicle_tax"
ITEM_LABEL = {CI: "交强险", INSPECTION: "年检", VEHICLE_TAX: "车船税"}
TOGETHER_DAYS = 31
# domain-rules §4: pure-electric and fuel-cell passenger cars are outside 车船税. (Listed plug-in
# hybrids are exempt too, but which are listed is not data we hold: a plug-in hybrid is reminded,
# and the insurer collects nothing if it is exempt.)
_TAX_FREE = ("纯电", "燃料电池", "氢燃料")


# domain-rules §5: a small new-energy plate's third character D/A/B/C/E means pure electric.
_PURE_ELECTRIC_LETTERS = "DABCE"


def _pure_electric_plate(plate: str | None) -> bool:
    """京AD12345: a small car's green plate naming pure electric (F–K are hybrids and the rest).
    A large vehicle's green plate (京A12345D) is left out: §4 puts passenger cars outside the tax."""
    p = "".join((plate or "").split()).upper()
    return (len(p) == 8 and p[2] in _PURE_ELECTRIC_LETTERS and not p.endswith("应急")
            and p[4:].isascii() and p[4:].isdigit())


def tax_with_ci(energy: str | None, plate: str | None = None) -> bool:
    """Whether 车船税 joins this car's 交强险 reminder. It depends on the vehicle alone, never on
    whether an amount was recorded, so the card, the work tabs and the letters give one answer.
    With no energy recorded (an import names none) a pure-electric plate decides."""
    e = (energy or "").strip()
    if not e:
        return not _pure_electric_plate(plate)
    return not any(k in e for k in _TAX_FREE)


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
