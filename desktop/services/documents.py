"""Slips and letter batches as documents: build the print data, render, log and audit.

Rendering goes to a temporary file next to the target and is renamed into place at the end, so
a failed or cancelled batch never leaves half a PDF where the finished one should be.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core.ids import new_id
from desktop.core.timeutil import CST, cst_date
from desktop.core.wording import yuan_text
from desktop.paths import resource_path
from desktop.printing import letters_process
from desktop.printing.letter import LetterPdfWriter, no_letters_paragraphs
from desktop.printing.letter_template import load_letter_template
from desktop.printing.model import SlipData
from desktop.printing.slip import render_slip_pdf
from desktop.store import audit, card_repo, outbox, writes
from desktop.store.records import EventRec

from . import card_facts
from . import letters as letters_svc
from .auth import StaffSession, require
from .errors import BadInput
from .lookup import LookupMatch
from .settings import CounterSettings

PAPERS = ("a4", "a5", "80mm", "58mm")


@dataclass(frozen=True)
class Resources:
    font: Path
    letter_template: Path


def default_resources() -> Resources:
    """The shipped font and the editable letter template (resources/), for the CLI and the window."""
    return Resources(font=resource_path("fonts", "wqy-microhei.ttc"),
                     letter_template=resource_path("templates", "letter_zh.txt"))


def slip_data(match: LookupMatch, settings: CounterSettings, printed_at: datetime,
              vehicle_tax: Decimal | None = None) -> SlipData:
    src = match.coverage.source_term
    return SlipData(plate=match.plate or "", status=match.coverage, insurer=src.insurer if src else None,
                    source=src.source if src else None, as_of=src.as_of if src else None,
                    printed_at=printed_at, counter=letters_svc.counter_info(settings),
                    vehicle_tax=yuan_text(vehicle_tax) if vehicle_tax is not None else None, vin=match.vin)


def vehicle_tax(engine: Engine, match: LookupMatch, at: datetime) -> Decimal | None:
    """车船税 recorded with the vehicle's current (or last) 交强险 term, for the slip."""
    with engine.connect() as conn:
        money = card_repo.term_money(conn, [match.vehicle_id])
        conn.rollback()
    return card_facts.vehicle_tax_of(match.bundle.terms, money, at)[0]


def _tmp_for(out: Path) -> Path:
    return out.with_name(f".{out.name}.{os.getpid()}.part")


def write_slip(engine: Engine, session: StaffSession, match: LookupMatch, settings: CounterSettings,
               out: Path, paper: str, res: Resources, printed_at: datetime | None = None) -> Path:
    require(session, "clerk")
    if paper not in PAPERS:
        raise BadInput(f"--paper 应为 {'/'.join(PAPERS)} 之一。")
    printed_at = printed_at or datetime.now(CST)
    out = Path(out).expanduser()
    if not out.parent.exists():
        raise BadInput(f"目录不存在：{out.parent}")
    tmp = _tmp_for(out)
    try:
        render_slip_pdf(slip_data(match, settings, printed_at, vehicle_tax(engine, match, printed_at)), tmp, paper,
                        font_path=res.font)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    log_slip(engine, session, match.vehicle_id, match.plate, paper)
    return out


def log_slip(engine: Engine, session: StaffSession, vehicle_id: str, plate: str | None, paper: str) -> None:
    now = datetime.now(CST)
    event = EventRec(new_id(), vehicle_id, "slip_printed", None, json.dumps({"paper": paper}), None, session.name, now)
    with engine.begin() as conn:
        with outbox.changes(conn, now) as changes:
            writes.insert_events(conn, (event,), changes)
        audit.append(conn, "slip_print", session.name, plate, {"paper": paper})


@dataclass(frozen=True)
class LettersResult:
    letters: int
    pages: int
    skipped: list[letters_svc.Skipped]
    batch: str | None


def write_letters(engine: Engine, session: StaffSession, settings: CounterSettings, out: Path, due_within: int,
                  include_lapsed: bool, order: str, at: datetime, res: Resources,
                  progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> LettersResult:
    """Select, render and log in one go (the CLI). The window does the same three steps on its two
    lanes: select and log on the database lane, render_letters on the I/O pool."""
    require(session, "supervisor")
    load_letter_template(res.letter_template)  # an unknown placeholder fails before any work
    _check_target(out)
    selection = letters_svc.select(engine, due_within, include_lapsed, order, at, settings.lead_days, cancel)
    pages = render_letters(selection, settings, out, at, res, progress, cancel)
    if pages is None:
        return LettersResult(0, 0, selection.skipped, None)
    batch = letters_svc.log_printed(engine, session, selection, None, at, pages, Path(out).name)
    return LettersResult(len(selection.letters), pages, selection.skipped, batch)


def _check_target(out: Path) -> Path:
    out = Path(out).expanduser()
    if not out.parent.exists():
        raise BadInput(f"目录不存在：{out.parent}")
    return out


def render_letters(selection: letters_svc.Selection, settings: CounterSettings, out: Path, at: datetime,
                   res: Resources, progress: Callable[[int, int], None] | None = None,
                   cancel: Callable[[], bool] | None = None) -> int | None:
    """The letters of a selection as one PDF at `out` (no store: safe on the I/O pool); the page
    count, or None when `cancel()` stopped it (then nothing is left at `out`, not even a .part)."""
    template = load_letter_template(res.letter_template)
    out = _check_target(out)
    counter = letters_svc.counter_info(settings)
    tmp = _tmp_for(out)
    total = len(selection.letters)
    try:
        if not total:  # one page that says so: never a blank page, and "pages" matches the file
            with LetterPdfWriter(tmp, template, res.font) as writer:
                writer.add_notice(no_letters_paragraphs(counter, selection.due_within, selection.include_lapsed,
                                                        at, len(selection.skipped)))
            tmp.replace(out)
            return writer.pages
        if total >= letters_process.CHILD_MIN_LETTERS:  # a batch: drawn by a child process (GIL)
            data = list(letters_svc.iter_letter_data(selection, counter, cst_date(at)))
            pages = letters_process.render_pdf(tmp, res.letter_template, res.font, data, progress, cancel)
            if pages is None or (cancel and cancel()):
                return None
            tmp.replace(out)
            return pages
        with LetterPdfWriter(tmp, template, res.font) as writer:
            for i, data in enumerate(letters_svc.iter_letter_data(selection, counter, cst_date(at))):
                if cancel and cancel():
                    break
                writer.add(data)
                if progress:
                    progress(i + 1, total)
        if cancel and cancel():
            return None
        tmp.replace(out)
        return writer.pages
    finally:
        tmp.unlink(missing_ok=True)
