"""Offline batch files at head office: `apply-batch FILE --reply DIR` (DESIGN §6).

An "up" file holds a push body sealed under the device's batch key; it is applied exactly like
an online push (same results), then a "down" file `<device_id>-<n>.rdbatch` is written into DIR
with {"reply": <push reply>, "pages": [<pull page>, …]}. The up body may carry "cursor" (the
counter's pull cursor) so the pages start where the counter stands; without it they start at 0.
An up file with no change is a counter with nothing to send asking for the rest of the feed (its
last down file said "more"): the reply has no results, only expected_seq and the pages.
A second apply of the same file stores nothing (every change is a duplicate), says so, and writes
the same reply again so a lost down file can be recreated.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, and_, select

from desktop.sync.protocol import (
    MAX_BODY_BYTES,
    PULL_MAX,
    BatchError,
    ProtocolError,
    batch_file_name,
    decode_batch,
    dumps,
    encode_batch,
    parse_push,
)

from . import devices, sync
from .db import write_tx
from .schema import batch_applied

MAX_DOWN_PAGES = 100  # 100,000 changes per down file; the next file carries the rest


class BatchInputError(ValueError):
    """The file is a batch but cannot be applied here (wrong direction, bad body, bad reply dir)."""


@dataclass
class Applied:
    device_id: str
    n: int
    counts: sync.PushCounts
    expected_seq: int
    again: bool  # this (device, n) was applied before: nothing changed
    reply_path: Path
    more: bool  # the down file did not hold the whole feed: apply another batch later

    def to_json(self) -> dict:
        return {"device_id": self.device_id, "n": self.n, "applied": self.counts.applied,
                "duplicates": self.counts.duplicates, "rejected": self.counts.rejected,
                "deferred": self.counts.deferred, "expected_seq": self.expected_seq,
                "already_applied": self.again, "reply": str(self.reply_path), "more": self.more}


def apply_batch(engine: Engine, file: Path, reply_dir: Path) -> Applied:
    data = file.read_bytes()
    header, body = decode_batch(data, lambda d: devices.batch_key_for(engine, d))
    if header["direction"] != "up":
        raise BatchInputError("这是总部发给柜台的回执批次，应在柜台上用 renewdesk sync --apply-batch 导入 / "
                              "this is a down batch: apply it on the counter")
    device_id, n = header["device_id"], header["n"]
    out_path = reply_dir / batch_file_name(device_id, n)
    if out_path.resolve() == file.resolve():
        raise BatchInputError("回执目录不能是批次文件所在的目录，否则会覆盖它 / --reply DIR must not hold the batch file")
    try:
        changes, head = parse_push(body, allow_empty=True)
    except ProtocolError as e:
        raise BatchInputError(f"批次内容不符合协议 / batch body is not a valid push: {e}") from None
    cursor = body.get("cursor", 0)
    if not isinstance(cursor, int) or isinstance(cursor, bool) or cursor < 0:
        cursor = 0
    digest = hashlib.sha256(data).hexdigest()
    with engine.connect() as conn:
        again = conn.execute(select(batch_applied.c.digest).where(and_(
            batch_applied.c.device_id == device_id, batch_applied.c.n == n))).scalar() == digest
        conn.rollback()
    reply, counts = sync.push(engine, device_id, changes, head, touch=not again)
    if not again:
        with write_tx(engine) as conn:
            conn.execute(batch_applied.delete().where(and_(batch_applied.c.device_id == device_id,
                                                           batch_applied.c.n == n)))
            conn.execute(batch_applied.insert().values(device_id=device_id, n=n, digest=digest,
                                                       applied_at=sync.iso_now()))
    pages, more = _pages(engine, cursor, MAX_BODY_BYTES - len(dumps(reply)) - 1024)
    down = encode_batch({"reply": reply, "pages": pages}, bytes.fromhex(_key(engine, device_id)), device_id, n,
                        "down")
    reply_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_suffix(".rdbatch.part")
    tmp.write_bytes(down)
    os.replace(tmp, out_path)  # the counter never sees half a file
    return Applied(device_id, n, counts, reply["expected_seq"], again, out_path, more)


def _pages(engine: Engine, cursor: int, budget: int) -> tuple[list[dict], bool]:
    """Pull pages from `cursor` while their JSON fits in `budget` bytes: the counter unpacks a batch
    file to at most MAX_BODY_BYTES, so a down file holding a large feed whole (100 pages of 1000
    could be hundreds of MB) was refused there as damaged, at every apply. A page that does not fit
    is retried smaller; `more` says the counter gets the rest with its next batch."""
    pages: list[dict] = []
    limit, used = PULL_MAX, 0
    try:
        while len(pages) < MAX_DOWN_PAGES:
            page = sync.pull(engine, cursor, limit)
            size = len(dumps(page)) + 1
            if used + size > budget and (pages or limit > 1):
                if limit == 1:
                    return pages, True
                limit = max(1, limit // 4)
                continue
            pages.append(page)
            used += size
            cursor = page["cursor"]
            if not page["more"]:
                return pages, False
    except sync.Gone:
        return [{"changes": [], "cursor": cursor, "more": False, "gone": True}], False
    return pages, True


def _key(engine: Engine, device_id: str) -> str:
    key = devices.batch_key_for(engine, device_id)
    if key is None:  # revoked between decode and reply
        raise BatchError("batch file comes from a device this side does not know (unknown or revoked)")
    return key.hex()
