"""The after-sales services the window uses (complaints, insurer directory, claims guidance, SMS
lists), bound to one open store. Each method ends in ``progress, cancel`` and runs on the task
runner's database lane; the services check the role again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core.timeutil import CST
from desktop.services import complaints as complaints_svc
from desktop.services import directory as directory_svc
from desktop.services import guide as guide_svc
from desktop.services import settings as settings_svc
from desktop.services import sms_export
from desktop.services.auth import StaffSession
from desktop.services.lookup import LookupMatch

from .tasks import Cancel, Progress


@dataclass
class AftersalesBackend:
    engine: Engine

    def complaints(self, session: StaffSession, open_only: bool, vehicle_id: str | None, progress: Progress,
                   cancel: Cancel) -> list[complaints_svc.ComplaintRow]:
        return complaints_svc.listing(self.engine, session, open_only, datetime.now(CST), vehicle_id)

    def add_complaint(self, session: StaffSession, match: LookupMatch, category: str, due, note: str,
                      promised: str, progress: Progress, cancel: Cancel):
        owner = match.bundle.owner.id if match.bundle.owner else None  # the customer it is about
        return complaints_svc.add(self.engine, session, match.vehicle_id, owner, category, due, note, promised)

    def follow_up(self, session: StaffSession, cid: str, note: str, progress: Progress, cancel: Cancel):
        return complaints_svc.follow_up(self.engine, session, cid, note)

    def move(self, session: StaffSession, cid: str, to: str, note: str, progress: Progress, cancel: Cancel):
        return complaints_svc.move(self.engine, session, cid, to, note)

    def directory(self, session: StaffSession, progress: Progress, cancel: Cancel):
        return directory_svc.listing(self.engine, session)

    def set_directory(self, session: StaffSession, key: str, fields: dict, confirmed: bool, progress: Progress,
                      cancel: Cancel):
        return directory_svc.set_entry(self.engine, session, key, fields, confirmed)

    def write_guide(self, session: StaffSession, match: LookupMatch, out: Path, accident: str, paper: str,
                    progress: Progress, cancel: Cancel) -> int:
        return guide_svc.write_guide(self.engine, session, match, settings_svc.load(self.engine), out, accident,
                                     paper)

    def guide_data(self, session: StaffSession, match: LookupMatch, accident: str, progress: Progress,
                   cancel: Cancel):
        return guide_svc.prepare_guide(self.engine, session, match, accident, settings_svc.load(self.engine))

    def log_guide(self, session: StaffSession, match: LookupMatch, accident: str, paper: str, progress: Progress,
                  cancel: Cancel) -> None:
        guide_svc.log_guide(self.engine, session, match, accident, paper)

    def write_sms(self, session: StaffSession, out: Path, due_within: int, include_lapsed: bool, full: bool,
                  progress: Progress, cancel: Cancel) -> sms_export.SmsResult:
        return sms_export.write_sms_list(self.engine, session, settings_svc.load(self.engine), out, due_within,
                                         include_lapsed, datetime.now(CST), full, cancel=cancel)
