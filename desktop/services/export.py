"""Excel export of the due list and the status list (masked unless a role may see more).

Rows stream from the store in chunks straight into openpyxl's write-only workbook.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core.masking import mask_id, mask_name, mask_phone
from desktop.core.status import CoverageStatus
from desktop.core.wording import STATUS_LABEL
from desktop.io.xlsx_writer import write_sheet
from desktop.store import audit, vehicles_repo
from desktop.store.records import VehicleBundle

from .auth import StaffSession, require
from .errors import BadInput
from .letters import window_candidates
from .record import OUTCOME_LABEL
from .statuses import iter_statuses

HEADERS = ["车牌号", "车架号", "车主", "联系电话", "证件号码", "交强险状态", "交强险止期", "剩余天数", "商业险止期",
           "保险公司", "新保单生效日", "断档", "来源", "数据日期", "最近结果"]
DATE_COLUMNS = ["交强险止期", "商业险止期", "新保单生效日", "数据日期"]


def _row(b: VehicleBundle, c: CoverageStatus, full: bool) -> list:
    o = b.owner
    name, phone, idn = (o.name, o.phone, o.id_number) if o else (None, None, None)
    if not full:
        name, phone, idn = mask_name(name), mask_phone(phone), mask_id(idn)
    src = c.source_term
    outcome = b.last_outcome()
    gaps = "；".join(f"{g.from_date:%Y-%m-%d}至{g.to_date:%Y-%m-%d}（{g.days}天）" for g in c.gaps)
    return [b.vehicle.plate, b.vehicle.vin, name, phone, idn, STATUS_LABEL[c.status], c.ci_end_date, c.days_left,
            c.bi_end_date, src.insurer if src else None, c.next_start_date, gaps or None,
            src.source if src else None, src.as_of if src and src.as_of else None,
            OUTCOME_LABEL.get(outcome, outcome) if outcome else None]


def _all_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        ids = vehicles_repo.all_vehicle_ids(conn)
        conn.rollback()
    return ids


GONE = ("sold", "scrapped")  # the car left this owner or the road: nobody to remind


def _rows(engine: Engine, ids: list[str], at: datetime, lead_days: int, keep: Callable[[CoverageStatus], bool],
          full: bool, cancel: Callable[[], bool] | None, skip_gone: bool = False) -> Iterator[list]:
    for b, c in iter_statuses(engine, ids, at, lead_days, cancel):
        if keep(c) and not (skip_gone and b.last_outcome() in GONE):
            yield _row(b, c, full)


def export_xlsx(engine: Engine, session: StaffSession, what: str, out: Path, at: datetime, lead_days: int,
                within: int = 30, full: bool = False, cancel: Callable[[], bool] | None = None) -> int:
    require(session, "admin" if full else "clerk")
    if what not in ("due", "status"):
        raise BadInput("导出类型应为 due（到期名单）或 status（状态总表）。")
    if within < 0:
        raise BadInput("--within 不能为负数。")
    if what == "due":
        ids = window_candidates(engine, at, within, include_lapsed=False)

        def keep(c: CoverageStatus) -> bool:
            return c.status in ("DUE", "ACTIVE") and c.days_left is not None and 0 <= c.days_left <= within
        title = f"{within}天内到期"
    else:
        ids = _all_ids(engine)

        def keep(c: CoverageStatus) -> bool:
            return True
        title = "交强险状态"
    out = Path(out).expanduser()
    part = out.with_name(out.name + ".part.xlsx")
    n = write_sheet(part, title, HEADERS, _rows(engine, ids, at, lead_days, keep, full, cancel, what == "due"),
                    date_columns=DATE_COLUMNS)
    if cancel and cancel():
        part.unlink(missing_ok=True)
        return 0
    part.replace(out)
    audit.record(engine, "export", session.name, out.name, {"what": what, "rows": n, "full": full})
    return n
