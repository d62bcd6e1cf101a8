"""The renewal services the 今日工作 tab and the report dialog use, bound to the window's Backend
(same store, clock and settings). Plain functions ending in progress/cancel for the task runner."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop.services import contact as contact_svc
from desktop.services import renewal_report
from desktop.services import worklist as worklist_svc
from desktop.services.auth import StaffSession

from .backend import Backend
from .tasks import Cancel, Cancelled, Progress


@dataclass
class RenewalBackend:
    base: Backend

    def worklists(self, session: StaffSession, progress: Progress, cancel: Cancel) -> worklist_svc.WorkLists:
        lists = worklist_svc.build(self.base.engine, session, self.base.now(), self.base.settings, cancel)
        if cancel():
            raise Cancelled()
        return lists

    def loss_reasons(self) -> dict[str, str]:
        return contact_svc.loss_reasons(self.base.settings)

    def record_contact(self, session: StaffSession, vehicle_id: str, c: contact_svc.ContactInput,
                       progress: Progress, cancel: Cancel) -> str:
        return contact_svc.record_contact(self.base.engine, session, vehicle_id, c, self.base.settings,
                                          now=self.base.now())

    def stop_contact(self, session: StaffSession, vehicle_id: str, reason: str, progress: Progress,
                     cancel: Cancel) -> str:
        return contact_svc.stop_contact(self.base.engine, session, vehicle_id, reason, now=self.base.now())

    def close_until(self, session: StaffSession, vehicle_id: str, until: date, progress: Progress,
                    cancel: Cancel) -> str:
        return contact_svc.close_until(self.base.engine, session, vehicle_id, until, now=self.base.now())

    def confirm_loss(self, session: StaffSession, vehicle_id: str, progress: Progress, cancel: Cancel) -> str:
        return contact_svc.confirm_loss(self.base.engine, session, vehicle_id, self.base.settings,
                                        now=self.base.now())

    def report(self, session: StaffSession, month: str, progress: Progress,
               cancel: Cancel) -> renewal_report.RenewalReport:
        return renewal_report.build(self.base.engine, session, month, self.base.now(), self.base.settings)

    def write_report(self, report: renewal_report.RenewalReport, out: Path, progress: Progress,
                     cancel: Cancel) -> Path:
        renewal_report.write_xlsx(report, out)
        return out
