"""Sync use cases for the command line and the window: enrol, sync now, batch files, status, problems.

Each checks the staff role (sync: clerk; enrolment and batch files: admin) and audits the run.
Errors from the sync layer become ServiceErrors with the exit codes of DESIGN §7:
6 head office unreachable (nothing lost), 4 revoked device, 2 bad input.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.store import audit
from desktop.store.keyring_port import KeyringPort
from desktop.store.store import Store
from desktop.sync import batch, identity, transport
from desktop.sync.client import LAST_ERROR_KEY, LAST_PROGRESS_KEY, LAST_SYNC_KEY, SyncClient, SyncReport
from desktop.sync.queue import CLOCK_HOLD_KEY

from .auth import StaffSession, require
from .errors import BadInput, NotAllowed, ServiceError, Unreachable, VerificationFailed

STALL_MS = 24 * 3600 * 1000  # the watchdog: a queue that has not moved for a day


class HeadOfficeUnreachable(Unreachable):
    """Exit 6 (desktop/cli.py EXIT_CODES): nothing lost, try later."""


class DeviceRevoked(NotAllowed):
    """Exit 4: head office no longer accepts this counter."""


def _service_error(exc: Exception) -> ServiceError:
    msg = getattr(exc, "message", str(exc))
    if isinstance(exc, transport.Revoked):
        return DeviceRevoked(msg)
    if isinstance(exc, transport.Unreachable | transport.CursorGone):
        return HeadOfficeUnreachable(msg)
    return BadInput(msg)


def _db_put(store: Store, key: str, value: str | None) -> None:
    with store.engine.begin() as conn:
        identity.put_state(conn.connection.driver_connection, key, value)


def enroll(store: Store, keyring: KeyringPort, session: StaffSession, server_url: str, code: str,
           counter_name: str) -> identity.Enrolment:
    require(session, "admin")
    url = _checked_url(server_url)
    code = (code or "").strip()
    if not code:
        raise BadInput("请给出总部发的注册码：--enroll 注册码。")
    try:
        with transport.Transport(url) as t:
            got = t.enroll(code, counter_name or "柜台")
    except transport.SyncError as exc:
        raise _service_error(exc) from None
    try:
        e = identity.Enrolment(url, str(got["device_id"]), str(got["token"]), str(got["batch_key"]))
    except (KeyError, TypeError):
        raise HeadOfficeUnreachable("总部的注册应答不完整，未注册。请稍后重试。") from None
    where = identity.save(store.engine, keyring, store.store_id, store.key, e)
    audit.record(store.engine, "sync_enroll", session.name, e.device_id, {"server": url, "secrets": where})
    return e


def _checked_url(url: str) -> str:
    try:
        return transport.check_url(url)
    except transport.BadServerUrl as exc:
        raise BadInput(exc.message) from None


def enrolment(store: Store, keyring: KeyringPort) -> identity.Enrolment | None:
    return identity.load(store.engine, keyring, store.store_id, store.key)


def _need_enrolment(store: Store, keyring: KeyringPort) -> identity.Enrolment:
    e = enrolment(store, keyring)
    if e is None:
        raise BadInput("本柜台还没有在总部注册。请管理员运行：renewdesk sync --server 总部地址 --enroll 注册码。")
    return e


def sync_now(store: Store, keyring: KeyringPort, session: StaffSession, server_url: str | None = None,
             progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None,
             transport_factory: Callable[[str, str], transport.Transport] | None = None) -> SyncReport:
    require(session, "clerk")
    e = _need_enrolment(store, keyring)
    url = e.server_url
    if server_url:
        url = _checked_url(server_url)
        if url != e.server_url:
            identity.remember_server(store.engine, url)
    make = transport_factory or (lambda u, tok: transport.Transport(u, tok))
    try:
        with make(url, e.token) as t:
            report = SyncClient(store.engine, t, e.device_id).run(progress, cancel)
    except transport.SyncError as exc:
        _db_put(store, LAST_ERROR_KEY, exc.message)
        audit.record(store.engine, "sync", session.name, None, {"ok": False, "error": type(exc).__name__})
        raise _service_error(exc) from None
    audit.record(store.engine, "sync", session.name, None, {"ok": True, **report.to_json()})
    return report


def export_batch(store: Store, keyring: KeyringPort, session: StaffSession, out_dir: Path) -> batch.Exported:
    require(session, "admin")
    e = _need_enrolment(store, keyring)
    try:
        out = batch.export_batches(store.engine, e, out_dir)
    except OSError:
        raise BadInput(f"无法写入目录 {out_dir}。请换一个可写的目录（例如 U 盘）。") from None
    audit.record(store.engine, "sync_export_batch", session.name, None,
                 {"files": len(out.files), "changes": out.changes})
    return out


def apply_batch(store: Store, keyring: KeyringPort, session: StaffSession, path: Path) -> SyncReport:
    require(session, "admin")
    e = _need_enrolment(store, keyring)
    try:
        report = batch.apply_down(store.engine, e, path)
    except batch.BatchRefused as exc:
        audit.record(store.engine, "sync_apply_batch", session.name, path.name, {"ok": False})
        if isinstance(exc, batch.BatchUnverified):
            raise VerificationFailed(exc.message) from None
        raise BadInput(exc.message) from None
    audit.record(store.engine, "sync_apply_batch", session.name, path.name, {"ok": True, **report.to_json()})
    return report


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str | None
    pending: int
    rejected: int
    last_sync_ms: int | None
    last_error: str | None
    clock_hold: bool
    stalled: bool  # the watchdog: changes queued and nothing moved for a day


def status(store: Store, now_ms: int) -> SyncStatus:
    st = identity.read_state(store.engine, identity.SERVER_KEY, identity.DEVICE_KEY, LAST_SYNC_KEY,
                             LAST_PROGRESS_KEY, LAST_ERROR_KEY, CLOCK_HOLD_KEY)
    with store.engine.connect() as conn:
        db = conn.connection.driver_connection
        pending, oldest = db.execute("SELECT count(*), MIN(created_at) FROM outbox WHERE state = 'pending'").fetchone()
        rejected = db.execute("SELECT count(*) FROM outbox WHERE state LIKE 'rejected:%'").fetchone()[0]
        conn.rollback()
    moved = int(st[LAST_PROGRESS_KEY]) if st[LAST_PROGRESS_KEY] else None
    stalled = False
    if pending:
        since = moved if moved is not None else _iso_ms(oldest)
        stalled = since is not None and now_ms - since > STALL_MS
    return SyncStatus(bool(st[identity.DEVICE_KEY]), st[identity.SERVER_KEY], pending, rejected,
                      int(st[LAST_SYNC_KEY]) if st[LAST_SYNC_KEY] else None, st[LAST_ERROR_KEY],
                      bool(st[CLOCK_HOLD_KEY]), stalled)


def _iso_ms(s: str | None) -> int | None:
    if not s:
        return None
    from datetime import datetime

    try:
        return int(datetime.fromisoformat(s).timestamp() * 1000)
    except ValueError:
        return None


@dataclass(frozen=True)
class Problem:
    """A change head office refused (同步问题): what it was and why, personal data masked."""
    device_seq: int
    entity: str
    entity_id: str
    why: str
    created_at: str
    summary: str


_WHY = {
    "bad_plate": "车牌号不合格", "bad_vin": "车架号不合格", "bad_phone": "电话号码不合格",
    "bad_id_number": "证件号码不合格", "id_mismatch": "记录编号不一致", "seq_conflict": "序号冲突（同一序号两条改动）",
    "bad_period": "止期早于起期", "append_only": "事件记录不能删除", "bad_fields": "字段列表不合格",
}


def explain(why: str) -> str:
    code = why.split(":", 1)[1] if why.startswith("rejected:") else why
    if code in _WHY:
        return _WHY[code]
    head, _, arg = code.partition(":")
    label = {"missing_field": "缺少字段", "bad_time": "时间格式不对", "bad_text": "文字太长或格式不对",
             "bad_ref": "引用的记录编号不对", "bad_number": "数字格式不对", "bad_date": "日期格式不对",
             "bad_bool": "是/否字段不对"}.get(head)
    return f"{label}：{arg}" if label else f"总部拒收（{code}）"


def problems(store: Store, session: StaffSession, limit: int = 500) -> list[Problem]:
    require(session, "clerk")
    from desktop.core.masking import mask_name, mask_phone, mask_plate

    with store.engine.connect() as conn:
        rows = conn.connection.driver_connection.execute(
            "SELECT device_seq, entity, COALESCE(entity_id, json_extract(payload, '$.id')), state, created_at, "
            "payload FROM outbox WHERE state LIKE 'rejected:%' ORDER BY device_seq LIMIT ?", (limit,)).fetchall()
        conn.rollback()
    out = []
    for seq, entity, eid, why, at, payload in rows:
        try:
            p = json.loads(payload)
        except ValueError:
            p = {}
        bits = [mask_plate(p["plate"]) if p.get("plate") else None, mask_name(p["name"]) if p.get("name") else None,
                mask_phone(p["phone"]) if p.get("phone") else None,
                p.get("kind") if entity in ("event", "policy_term") else None]
        out.append(Problem(seq, entity, eid, explain(why), at or "", " ".join(b for b in bits if b)))
    return out
