"""The shipped rate tables (resources/rates/*.json), loaded once, for the callers of core.premium
(core does no I/O: tables reach it as data)."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from desktop.core.premium import lapse_fine_example as _fine
from desktop.core.timeutil import CST
from desktop.paths import resource_path


@lru_cache(maxsize=8)
def table(name: str) -> dict[str, Any]:
    """One rate table document, e.g. table("ci_base_2008")."""
    return json.loads(resource_path("rates", f"{name}.json").read_text(encoding="utf-8"))


def lapse_fine_example(on: date | None = None) -> Decimal:
    """The example fine printed beside the lapse rule: 2 × a family car's 交强险 base premium."""
    from datetime import datetime

    return _fine(table("ci_base_2008"), on or datetime.now(CST).date())


@lru_cache(maxsize=8)
def rule_doc(name: str) -> dict[str, Any]:
    """One rule document from resources/rules, e.g. rule_doc("inspection") (年检 schedules)."""
    return json.loads(resource_path("rules", f"{name}.json").read_text(encoding="utf-8"))
