"""The card's services on the database lane: its facts, the 浮动告知单 coefficient and the 年检
override. Plain functions ending in ``progress`` and ``cancel`` (desktop/ui/tasks.py), bound to the
window's backend so they share its store, clock and settings."""
from __future__ import annotations

from dataclasses import dataclass

from desktop.core.timeutil import cst_date
from desktop.services import card_facts, vehicle_class, vehicle_dates
from desktop.services.auth import StaffSession

from .backend import Backend
from .tasks import Cancel, Progress


@dataclass
class CardBackend:
    backend: Backend

    def facts(self, session: StaffSession, vehicle_id: str, progress: Progress,
              cancel: Cancel) -> card_facts.CardFacts:
        s = self.backend.settings
        return card_facts.card_facts(self.backend.engine, session, vehicle_id, self.backend.now(), s.lead_days,
                                     s.region)

    def record_float(self, session: StaffSession, vehicle_id: str, raw: str, progress: Progress,
                     cancel: Cancel) -> object:
        return vehicle_dates.record_float_notice(self.backend.engine, session, vehicle_id, raw,
                                                 now=self.backend.now())

    def override_inspection(self, session: StaffSession, vehicle_id: str, due: str, reason: str,
                            progress: Progress, cancel: Cancel) -> object:
        return vehicle_dates.override_inspection(self.backend.engine, session, vehicle_id, due, reason,
                                                 now=self.backend.now())

    def record_class(self, session: StaffSession, vehicle_id: str, use: str, seats: str, progress: Progress,
                     cancel: Cancel) -> object:
        return vehicle_class.record_vehicle_class(self.backend.engine, session, vehicle_id, use, seats,
                                                  now=self.backend.now())

    def uses(self) -> dict[str, str]:
        return vehicle_class.uses_on(cst_date(self.backend.now()))
