"""Claims guidance slips (理赔指引) for one vehicle and one kind of accident.

The wording comes from the editable template (resources/templates/guide_zh.txt), the insurer's
numbers from the directory (待核实 until an admin confirms them), the policy numbers and periods
from the vehicle's own terms, the counter's contact from settings. Printing is logged as a
`guide_printed` event (synced through the outbox) and audited.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core.insurers import InsurerEntry, match_insurer, shown
from desktop.core.status import Term
from desktop.core.timeutil import CST, last_covered_day
from desktop.core.wording import cn_date, end_date_phrase
from desktop.paths import resource_path
from desktop.printing.guide import GUIDE_PAPERS, GuideData, InsurerContact, PolicyLine, render_guide_pdf
from desktop.printing.guide_template import ACCIDENTS, GuideTemplate, TemplateError, load_guide_template
from desktop.printing.model import PrintError
from desktop.store import audit

from . import directory
from .auth import StaffSession, require
from .errors import BadInput
from .event_log import write_event
from .letters import counter_info
from .lookup import LookupMatch
from .settings import CounterSettings

__all__ = ["ACCIDENTS", "GUIDE_PAPERS", "GuideResources", "build_guide", "default_guide_resources", "log_guide",
           "prepare_guide", "write_guide"]

_KIND_LABEL = {"CI": "交强险", "BI": "商业险"}


@dataclass(frozen=True)
class GuideResources:
    font: Path
    template: Path
    directory: Path


def default_guide_resources() -> GuideResources:
    return GuideResources(font=resource_path("fonts", "wqy-microhei.ttc"),
                          template=resource_path("templates", "guide_zh.txt"),
                          directory=directory.shipped_path())


def _term_for(terms: tuple[Term, ...], kind: str, at: datetime) -> Term | None:
    """The term that covers `at`, else the latest one that started (what the owner holds)."""
    mine = [t for t in terms if t.kind == kind]
    current = [t for t in mine if t.start_at <= at < t.end_at]
    if current:
        return max(current, key=lambda t: t.start_at)
    started = [t for t in mine if t.start_at <= at]
    return max(started, key=lambda t: t.end_at) if started else None


def _period(t: Term) -> str:
    start = t.start_at.astimezone(CST)
    return f"{cn_date(start.date())} 至 {end_date_phrase(last_covered_day(t.end_at), t.end_at)}"


def _contact(role: str, name: str, entry: InsurerEntry | None) -> InsurerContact:
    if entry is None:
        return InsurerContact(role, name, "", "", "", "", "", False, False)
    hours = f"{entry.report_within_hours} 小时" if entry.report_within_hours else ""
    return InsurerContact(role, entry.name, shown(entry.claims_phone, entry), shown(entry.roadside_phone, entry),
                          shown(hours, entry), entry.branch_address, entry.branch_hours, entry.confirmed, True)


def build_guide(match: LookupMatch, accident: str, template: GuideTemplate, entries: dict[str, InsurerEntry],
                settings: CounterSettings, printed_at: datetime) -> GuideData:
    if accident not in ACCIDENTS:
        raise BadInput(f"--accident 应为 {'|'.join(ACCIDENTS)} 之一。")
    terms = {k: _term_for(match.bundle.terms, k, printed_at) for k in ("CI", "BI")}
    policies = tuple(PolicyLine(_KIND_LABEL[k], t.insurer, t.policy_no, _period(t))
                     for k, t in terms.items() if t is not None)
    # One block per insurer (by directory entry, else by its written name), naming what it covers.
    roles: dict[str, list[str]] = {}
    found: dict[str, tuple[str, InsurerEntry | None]] = {}
    for k in ("BI", "CI"):  # 商业险 first: own damage is claimed there
        t = terms[k]
        if t is None or not (t.insurer or "").strip():
            continue
        entry = match_insurer(entries, t.insurer)
        ident = entry.key if entry else t.insurer.strip()
        found.setdefault(ident, (t.insurer.strip(), entry))
        roles.setdefault(ident, []).append(_KIND_LABEL[k])
    contacts = tuple(_contact("、".join(sorted(roles[i], key=["交强险", "商业险"].index)), name, entry)
                     for i, (name, entry) in found.items())
    first = contacts[0] if contacts else None
    known = first if first and first.in_directory else None
    values = {
        "insurer": known.name if known else (first.name if first else "保险公司"),
        "claims_phone": known.claims_phone if known and known.claims_phone else "（保单上印的号码）",
        "roadside_phone": (known.roadside_phone if known and known.roadside_phone
                           else "（保单上印的号码）"),
        "report_within": known.report_within if known and known.report_within else "保险公司规定的时限",
        "counter_phone": settings.counter_phone or "（见下方）",
    }
    text, footer = template.filled(accident, values)
    return GuideData(plate=match.plate or "", accident=text, footer=footer, insurers=contacts, policies=policies,
                     counter=counter_info(settings), printed_at=printed_at)


def prepare_guide(engine: Engine, session: StaffSession, match: LookupMatch, accident: str,
                  settings: CounterSettings, res: GuideResources | None = None,
                  printed_at: datetime | None = None) -> GuideData:
    """The guide's print data (template + directory + the vehicle's terms), for a PDF or a printer."""
    require(session, "clerk")
    res = res or default_guide_resources()
    try:
        template = load_guide_template(res.template)
    except TemplateError as exc:
        raise BadInput(str(exc)) from None
    return build_guide(match, accident, template, directory.load(engine, directory.load_shipped(res.directory)),
                       settings, printed_at or datetime.now(CST))


def write_guide(engine: Engine, session: StaffSession, match: LookupMatch, settings: CounterSettings, out: Path,
                accident: str, paper: str = "a4", res: GuideResources | None = None,
                printed_at: datetime | None = None) -> int:
    """Render the guide to `out` (all or nothing: a temporary file renamed into place), log and audit
    it; return the number of pages."""
    require(session, "clerk")
    if paper not in GUIDE_PAPERS:
        raise BadInput(f"--paper 应为 {'/'.join(GUIDE_PAPERS)} 之一。")
    res = res or default_guide_resources()
    printed_at = printed_at or datetime.now(CST)
    out = Path(out).expanduser()
    if not out.parent.is_dir():
        raise BadInput(f"目录不存在：{out.parent}")
    data = prepare_guide(engine, session, match, accident, settings, res, printed_at)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        pages = render_guide_pdf(data, tmp, paper, font_path=res.font)
        tmp.replace(out)
    except PrintError as exc:
        raise BadInput(str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)
    log_guide(engine, session, match, accident, paper)
    return pages


def log_guide(engine: Engine, session: StaffSession, match: LookupMatch, accident: str, paper: str) -> None:
    """A printed (or saved) guide: a synced `guide_printed` event and an audit entry."""
    require(session, "clerk")
    now = datetime.now(CST)
    with engine.begin() as conn:
        write_event(conn, "guide_printed", match.vehicle_id, {"accident": accident, "paper": paper}, None,
                    session.name, now)
        audit.append(conn, "guide_print", session.name, match.plate, {"accident": accident, "paper": paper})
