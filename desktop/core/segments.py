"""Renewal rate by segment (issue 13, domain-rules §7), computed from terms and events only.

Pure: terms are core.status.Term, renewal events are core.cadence.ContactFact. "Written here"
(本店出单) means a 本店续保 record claims the term: the 交强险 term with the earliest start on or
after the record's day minus 2 days (an early renewal starts at the old end; after a lapse it
starts on the day of purchase). An imported term nobody recorded here counts as elsewhere.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .cadence import ContactFact
from .status import Term
from .timeutil import cst_date, lapse_window_days, last_covered_day

CLAIM_SLACK = timedelta(days=2)
LAPSE_DAYS = 3 * 365 + 1  # the longest window lapse_window_days gives (a 29 Feb inside): candidate bounds

# The renewal segments partition the vehicles whose 交强险 ends in the month; the last two overlay them.
RENEWAL_SEGMENTS = ("新转续", "首次", "续转续", "间转续", "潜转续")
SEGMENTS = ("新保", *RENEWAL_SEGMENTS, "在修不在保", "断保回流")
DEFINITIONS = {
    "新保": "本月起保的车辆第一张交强险（新车）；本店 = 有本店出单记录，其余算他处。比率 = 本店出单 / 新车数。",
    "新转续": "本月到期的交强险是车辆第一张、且为本店出单（本店新保车的第一次续保）。",
    "首次": "本月到期的交强险是车辆第一张、但不是本店出单（他处新保车第一次来续保）。",
    "续转续": "本月到期的交强险不是第一张、且为本店出单（去年在本店续保）。",
    "间转续": "本月到期的交强险不是第一张、不是本店出单，但更早有一张本店出单（曾流失的老客户）。",
    "潜转续": "本月到期的交强险不是第一张，且从未在本店出单（潜在客户）。",
    "在修不在保": "本月到期、到期前 12 个月内有到店维修记录（visit），但到期保单不是本店出单（与上面五类重叠）。",
    "断保回流": "月初已脱保（最近一张交强险在月初前结束，且不超过 3 年）的车辆；本月起保的新保单算回流。",
}
OUTCOME_DEFINITION = ("应续 = 本段车辆数；本店续保 = 已有后续交强险且为本店出单；他处续保 = 后续保单不是本店出单，"
                      "或主管确认“已在他处续保”；战败 = 主管确认的失销（含卖车、报废）；未结 = 其余（含待确认的失销）。"
                      "续保率 = 本店续保 / 应续。")


@dataclass(frozen=True)
class SegmentHit:
    segment: str
    outcome: str        # renewed_here | renewed_elsewhere | lost | open
    reason: str | None  # confirmed 战败 reason code when lost or renewed elsewhere


def _ci(terms: Sequence[Term]) -> list[Term]:
    return sorted((t for t in terms if t.kind == "CI"), key=lambda t: (t.start_at, t.end_at))


def claimed_here(terms: Sequence[Term], facts: Sequence[ContactFact]) -> set[int]:
    """Indexes (into the sorted CI terms) of the terms written here."""
    ci = _ci(terms)
    here: set[int] = set()
    for f in facts:
        if f.kind != "outcome" or f.result != "renewed_here":
            continue
        for i, t in enumerate(ci):
            if cst_date(t.start_at) >= f.day - CLAIM_SLACK:
                here.add(i)
                break
    return here


def _outcome(ci: list[Term], i: int, here: set[int], facts: Sequence[ContactFact], case_from: date,
             successor_from: int) -> tuple[str, str | None]:
    succ = next((j for j in range(successor_from, len(ci)) if j != i), None)
    if succ is not None:
        return ("renewed_here" if succ in here else "renewed_elsewhere"), None
    later = sorted((f for f in facts if f.day >= case_from), key=lambda f: (f.day, f.at_text))
    for f in reversed(later):
        if f.kind == "loss_confirmed":
            return ("renewed_elsewhere" if f.reason == "elsewhere" else "lost"), f.reason
        if f.kind == "outcome" and f.result == "renewed_elsewhere":
            return "renewed_elsewhere", "elsewhere"
        if f.kind == "outcome" and f.result in ("sold", "scrapped"):
            return "lost", {"sold": "transferred", "scrapped": "scrapped"}[f.result]
    return "open", None


def classify(terms: Sequence[Term], facts: Sequence[ContactFact], month_start: date, month_end: date,
             lead_days: int = 90) -> list[SegmentHit]:
    """Every segment this vehicle counts in for the month [month_start, month_end].

    断保回流 takes a lapse of at most 3 years at the month's first day by the calendar, as the
    已脱保 tab and letters --include-lapsed do (timeutil.lapse_window_days): the last covered day
    on or after the same date 3 years before."""
    ci = _ci(terms)
    if not ci:
        return []
    here = claimed_here(terms, facts)
    hits: list[SegmentHit] = []
    first_start = cst_date(ci[0].start_at)
    if month_start <= first_start <= month_end:
        hits.append(SegmentHit("新保", "renewed_here" if 0 in here else "renewed_elsewhere", None))
    due = [i for i, t in enumerate(ci) if month_start <= last_covered_day(t.end_at) <= month_end]
    if due:
        i = due[-1]
        t = ci[i]
        if i == 0:
            seg = "新转续" if 0 in here else "首次"
        elif i in here:
            seg = "续转续"
        elif any(j in here for j in range(i)):
            seg = "间转续"
        else:
            seg = "潜转续"
        end_day = last_covered_day(t.end_at)
        outcome, reason = _outcome(ci, i, here, facts, end_day - timedelta(days=lead_days), i + 1)
        hits.append(SegmentHit(seg, outcome, reason))
        visits = [f for f in facts if f.kind == "visit" and end_day - timedelta(days=365) <= f.day <= end_day]
        if visits and i not in here:
            hits.append(SegmentHit("在修不在保", outcome, reason))
    # 断保回流: lapsed at the month's first day, for at most 3 years.
    covering = [t for t in ci if cst_date(t.start_at) <= month_start <= last_covered_day(t.end_at)]
    ended = [i for i, t in enumerate(ci) if last_covered_day(t.end_at) < month_start]
    if not covering and ended:
        last = ended[-1]
        if (month_start - last_covered_day(ci[last].end_at)).days <= lapse_window_days(month_start):
            back = next((j for j, t in enumerate(ci) if j > last and month_start <= cst_date(t.start_at) <= month_end),
                        None)
            if back is not None:
                hits.append(SegmentHit("断保回流", "renewed_here" if back in here else "renewed_elsewhere", None))
            else:  # a cover bought now that starts after the month also brought it back
                outcome, reason = _outcome(ci, last, here, facts, month_start, last + 1)
                hits.append(SegmentHit("断保回流", outcome, reason))
    return hits
