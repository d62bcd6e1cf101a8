"""Typed, versioned counter settings: the ONE schema (defaults, validation, Chinese errors) behind
`renewdesk settings get/set` and the settings dialog. Values live in the store's settings table.

`synced=True` marks the settings that belong to the whole organisation (one organisation per
server, so its name is the same everywhere); a change to one travels through the outbox as an
append-only "setting" event in the same transaction. The rest describe this counter (name, phone,
address, hours, region), follow its region (lead_days) or are local policy (lock time, backups,
printers): they stay local.
Per-workstation screen choices (elder mode) live in desktop.ui.workstation instead.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy.engine import Engine

from desktop.core.cadence import parse_cadence
from desktop.core.ids import new_id
from desktop.core.timeutil import CST
from desktop.store import audit, outbox, settings_repo, writes
from desktop.store.records import EventRec

from .auth import StaffSession, require
from .errors import BadInput

SETTINGS_VERSION = 2
PAPERS = ("a4", "a5", "80mm", "58mm")
_PHONE = re.compile(r"^[0-9+\-() 转]{5,24}$")


@dataclass(frozen=True)
class Setting:
    key: str
    label: str                       # Chinese, shown in the dialog and in every error about it
    kind: str                        # "text" | "int" | "bool" | "choice"
    default: object
    synced: bool = False             # organisation-wide: sent to head office through the outbox
    lo: int = 0
    hi: int = 0
    choices: tuple[str, ...] = ()
    max_len: int = 60
    hint: str = ""
    group: str = "counter"           # "counter" | "rules" | "backup" | "printing": dialog sections


SCHEMA: tuple[Setting, ...] = (
    Setting("org", "机构名称", "text", "续保台", synced=True, hint="车行或代理公司的名称"),
    Setting("counter_name", "柜台名称", "text", "服务柜台", hint="印在告知单和提醒信上"),
    Setting("counter_phone", "柜台电话", "text", "", max_len=24, hint="例如 020-12345678，印在告知单上"),
    Setting("counter_address", "柜台地址", "text", "", max_len=120),
    Setting("counter_hours", "营业时间", "text", "周一至周日 9:00-17:30", max_len=40),
    Setting("lead_days", "提前续保天数", "int", 90, lo=1, hi=365, group="rules",
            hint="到期前多少天起可以续保（各地保险公司规定）"),
    Setting("idle_lock_minutes", "无操作锁屏（分钟）", "int", 5, lo=1, hi=240, group="rules"),
    Setting("stale_after_days", "数据过时提醒（天）", "int", 30, lo=1, hi=3650, group="rules",
            hint="超过这么多天未核实的保单标为“可能已过时”"),
    Setting("region", "省份", "text", "", max_len=20, group="rules", hint="用于保费估算"),
    # Renewal work (issue 13): contact days before the end, the frequency cap, the 将脱保 window,
    # and the store's own 战败 reasons added beside the locked core (comma-separated).
    Setting("contact_cadence", "联系节奏（到期前天数）", "text", "45,33,30", max_len=60, group="rules",
            hint="逗号分隔，例如 45,33,30"),
    Setting("contact_cap_day", "每天最多联系次数", "int", 1, lo=1, hi=10, group="rules"),
    Setting("contact_cap_week", "每周最多联系次数", "int", 3, lo=1, hi=30, group="rules"),
    Setting("lapsing_days", "将脱保提醒（天）", "int", 7, lo=0, hi=90, group="rules"),
    Setting("loss_reasons_extra", "自定义战败原因", "text", "", max_len=200, group="rules", hint="逗号分隔"),
    Setting("auto_backup", "每天自动备份", "bool", True, group="backup",
            hint="每天第一次使用时自动备份到数据目录的 backups 文件夹"),
    Setting("backup_keep_days", "自动备份保留（天）", "int", 30, lo=1, hi=3650, group="backup"),
    Setting("default_paper", "默认纸张", "choice", "a4", choices=PAPERS, group="printing"),
    Setting("printer_slip", "告知单打印机", "text", "", max_len=120, group="printing", hint="留空用系统默认打印机"),
    Setting("printer_letter", "提醒信打印机", "text", "", max_len=120, group="printing", hint="留空用系统默认打印机"),
)
BY_KEY = {s.key: s for s in SCHEMA}
_TRUE, _FALSE = {"1", "true", "yes", "on", "是", "开"}, {"0", "false", "no", "off", "否", "关"}


@dataclass(frozen=True)
class CounterSettings:
    org: str = "续保台"
    counter_name: str = "服务柜台"
    counter_phone: str = ""
    counter_address: str = ""
    counter_hours: str = "周一至周日 9:00-17:30"
    lead_days: int = 90          # renewal allowed from E − lead_days (regional; insurers refuse earlier)
    idle_lock_minutes: int = 5
    stale_after_days: int = 30   # a figure older than this is marked 可能已过时
    region: str = ""             # province, for the premium estimate's floating table
    # Renewal work (issue 13): contact days before the end, the frequency cap, the 将脱保 window,
    # and the store's own 战败 reasons added beside the locked core (comma-separated).
    contact_cadence: str = "45,33,30"
    contact_cap_day: int = 1
    contact_cap_week: int = 3
    lapsing_days: int = 7
    loss_reasons_extra: str = ""
    auto_backup: bool = True
    backup_keep_days: int = 30
    default_paper: str = "a4"
    printer_slip: str = ""
    printer_letter: str = ""
    version: int = SETTINGS_VERSION




def _schema_matches_dataclass() -> bool:
    """Tested: every schema key is a CounterSettings field with the same default, and back."""
    names = {f.name for f in fields(CounterSettings)} - {"version"}
    return names == set(BY_KEY) and all(getattr(CounterSettings(), s.key) == s.default for s in SCHEMA)


def _unknown(key: str) -> BadInput:
    return BadInput(f"没有设置项 {key}。可用：{', '.join(BY_KEY)}")


def parse(key: str, value: object) -> object:
    """The typed value of `value` for `key`, or BadInput saying what is wrong and how to fix it."""
    s = BY_KEY.get(key)
    if s is None:
        raise _unknown(key)
    raw = "" if value is None else str(value).strip()
    if s.kind == "int":
        try:
            n = int(raw)
        except ValueError:
            raise BadInput(f"{s.label}（{key}）应为整数，例如 {s.default}。") from None
        if not s.lo <= n <= s.hi:
            raise BadInput(f"{s.label}（{key}）应在 {s.lo} 到 {s.hi} 之间。")
        return n
    if s.kind == "bool":
        if isinstance(value, bool):
            return value
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise BadInput(f"{s.label}（{key}）应为 是/否（true/false）。")
    if s.kind == "choice":
        if raw.lower() not in s.choices:
            raise BadInput(f"{s.label}（{key}）应为 {'、'.join(s.choices)} 之一。")
        return raw.lower()
    if "\n" in raw or "\r" in raw:
        raise BadInput(f"{s.label}（{key}）只能写一行。")
    if len(raw) > s.max_len:
        raise BadInput(f"{s.label}（{key}）太长：最多 {s.max_len} 个字符。")
    if key in ("org", "counter_name") and not raw:
        raise BadInput(f"{s.label}不能为空。")
    if key == "contact_cadence":
        try:
            return ",".join(str(d) for d in parse_cadence(raw))
        except ValueError as exc:
            raise BadInput(f"{s.label}：{exc}") from None
    if key == "counter_phone" and raw and not _PHONE.match(raw):
        raise BadInput(f"{s.label}只能含数字、-、+、括号和空格，例如 020-12345678。")
    return raw


def _stored(v: object) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def parse_value(key: str, value: str) -> object:
    """Kept for callers of the first version: the typed value (see parse)."""
    return parse(key, value)


def _upgrade(raw: dict[str, str]) -> dict[str, str]:
    """Older stored versions, read as this one. v1 had no backup or printing keys: defaults apply."""
    return raw


def load(engine: Engine) -> CounterSettings:
    raw = _upgrade(settings_repo.get_all(engine))
    values: dict = {}
    for key in BY_KEY:
        if raw.get(key) is None:
            continue
        try:
            values[key] = parse(key, raw[key])
        except BadInput:
            continue  # a hand-edited bad value falls back to the default rather than stop the counter
    return CounterSettings(**values)


def put(engine: Engine, actor: StaffSession | None, key: str, value: object) -> object:
    """Validate and store one setting (admin); audited with the key only. Returns the typed value."""
    return put_many(engine, actor, {key: value})[key]


def put_many(engine: Engine, actor: StaffSession | None, changes: dict[str, object]) -> dict[str, object]:
    """Validate every value first, then store them in one transaction: all or nothing."""
    if actor is not None:
        require(actor, "admin")
    typed = {k: parse(k, v) for k, v in changes.items()}
    current = as_dict(load(engine))
    changed = {k: v for k, v in typed.items() if current.get(k) != v}
    if not changed:
        return typed
    with engine.begin() as conn:
        for k, v in changed.items():
            settings_repo.put(conn, k, _stored(v))
            # Values are not audited: an address or phone is the counter's, but keep the log lean.
            audit.append(conn, "settings_set", actor.name if actor else None, k,
                         {"synced": BY_KEY[k].synced})
        settings_repo.put(conn, "version", str(SETTINGS_VERSION))
        synced = {k: _stored(v) for k, v in changed.items() if BY_KEY[k].synced}
        if synced:  # org-wide settings travel as append-only "setting" events
            now = datetime.now(CST)
            with outbox.changes(conn, now) as out:
                writes.insert_events(conn, tuple(
                    EventRec(new_id(), None, "setting", None, json.dumps({"key": k, "value": v}, ensure_ascii=False),
                             None, actor.name if actor else None, now) for k, v in synced.items()), out)
    return typed


def synced_keys() -> tuple[str, ...]:
    return tuple(s.key for s in SCHEMA if s.synced)


def as_dict(s: CounterSettings) -> dict:
    d = asdict(s)
    d.pop("version", None)
    return d
