"""The head-office page at `/`: server-rendered Chinese HTML, no JavaScript build step.

A branch manager sees every counter (last sync, queued and rejected counts, clock warnings, the
audit-head anchor), creates enrolment codes and revokes devices. Everything sits behind the admin
password given at server start (RENEWDESK_SERVER_ADMIN_PASSWORD; only its scrypt hash is kept).
Sessions live in memory (a restart logs everyone out); forms carry a per-session CSRF token and the
cookie is SameSite=Strict and HttpOnly.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from html import escape

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from . import devices
from .db import dialect
from .schema import change

COOKIE = "rd_admin"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES, LOCK_SECONDS = 5, 300
_CST = timezone(timedelta(hours=8))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    h = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${h.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, want = stored.split("$")
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(want) // 2)
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(got.hex(), want)


def _when(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return datetime.fromisoformat(iso).astimezone(_CST).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return "—"


_STYLE = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:24px;
     color:#1b2733;background:#f5f7fa;font-size:16px}
h1{font-size:26px;margin:0 0 4px} .sub{color:#5b6b7b;margin-bottom:18px}
table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:22px}
th,td{border:1px solid #d5dde5;padding:7px 8px;text-align:left;vertical-align:top}
th{background:#e9eef3;font-weight:600} .num{text-align:right} th,td{white-space:nowrap}
td.wrap{white-space:normal;min-width:180px}
.warn{color:#a34700;font-weight:600} .ok{color:#1f7a3a} .off{color:#8a96a3}
.box{background:#fff;border:1px solid #d5dde5;padding:14px 16px;margin-bottom:22px;max-width:760px}
.code{font-family:monospace;font-size:30px;letter-spacing:2px;background:#fff8e1;padding:8px 14px;
      border:1px dashed #c9a227;display:inline-block;margin:8px 0}
input[type=text],input[type=password]{font-size:16px;padding:6px 8px;width:260px}
button{font-size:16px;padding:6px 14px;cursor:pointer} .danger{color:#fff;background:#b3261e;border:0}
.err{color:#b3261e;font-weight:600} .mono{font-family:monospace}
"""


def _page(title: str, body: str) -> HTMLResponse:
    html = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>'
            f"<body>{body}</body></html>")
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                       "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; "
                                       "script-src 'unsafe-inline'"})


class Sessions:
    def __init__(self) -> None:
        self._s: dict[str, tuple[float, str]] = {}  # token -> (expires, csrf)
        self.failures = 0
        self.locked_until = 0.0

    def new(self) -> str:
        token = secrets.token_urlsafe(32)
        self._s[token] = (time.time() + SESSION_SECONDS, secrets.token_urlsafe(16))
        return token

    def csrf(self, token: str | None) -> str | None:
        entry = self._s.get(token or "")
        if entry is None or entry[0] < time.time():
            self._s.pop(token or "", None)
            return None
        return entry[1]

    def end(self, token: str | None) -> None:
        self._s.pop(token or "", None)


def _login_form(message: str = "") -> HTMLResponse:
    err = f'<p class="err">{escape(message)}</p>' if message else ""
    return _page("续保台 总部 登录", f"""<h1>续保台 · 总部</h1><div class="sub">管理员登录</div>
<div class="box">{err}<form method="post" action="/login">
<label>管理员密码：<input type="password" name="password" autofocus></label> <button>登录</button></form></div>""")


def _device_rows(devs: list[dict], csrf: str) -> str:
    if not devs:
        return '<tr><td colspan="10" class="off">还没有柜台登记。请在下面生成登记码，到柜台上执行“同步登记”。</td></tr>'
    out = []
    for d in devs:
        last = max(filter(None, (d["last_push_at"], d["last_pull_at"])), default=None)
        if d["clock_ahead_ms"]:
            hours = d["clock_ahead_ms"] / 3_600_000
            clock = f'<span class="warn">时钟快了约 {hours:.1f} 小时（{_when(d["clock_warned_at"])}），请校准柜台电脑时间</span>'
        else:
            clock = '<span class="ok">正常</span>'
        anchor = (f'<span class="mono">#{d["audit_seq"]} {escape((d["audit_hash"] or "")[:12])}…</span>'
                  f'<br><small>{_when(d["audit_at"])}</small>' if d["audit_seq"] is not None else "—")
        if d.get("audit_alarm"):
            when = d["audit_alarm"].partition(" ")[0]
            told, kept = (re.findall(r"#(\d+)", d["audit_alarm"]) + ["?", "?"])[:2]
            anchor += (f'<br><span class="warn">{_when(when)} 柜台报来的审计链到第 {told} 条，总部记到第 {kept} 条'
                       f'（或同一条内容不同）：可能是柜台的审计记录被删，或恢复了旧备份。'
                       f'请到柜台运行 renewdesk audit verify 核查。</span>')
        if d["revoked_at"]:
            state, action = f'<span class="off">已停用<br><small>{_when(d["revoked_at"])}</small></span>', ""
        else:
            state = '<span class="ok">在用</span>'
            action = (f'<form method="post" action="/devices/{escape(d["id"])}/revoke" '
                      f'onsubmit="return confirm(\'停用后这台柜台将不能再同步，确定吗？\')">'
                      f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
                      f'<button class="danger">停用</button></form>')
        queued = f'<span class="warn">{d["deferred_count"]}</span>' if d["deferred_count"] else "0"
        rejected = f'<span class="warn">{d["rejected_count"]}</span>' if d["rejected_count"] else "0"
        out.append(f'<tr><td>{escape(d["branch"])}</td><td>{escape(d["counter"])}<br>'
                   f'<small class="mono off">{escape(d["id"][:8])}…</small></td><td>{_when(last)}</td>'
                   f'<td class="num">{d["applied_count"]}</td><td class="num">{queued}</td>'
                   f'<td class="num">{rejected}</td><td class="wrap">{clock}</td><td>{anchor}</td><td>{state}</td>'
                   f'<td>{action}</td></tr>')
    return "".join(out)


def _dashboard(request: Request, csrf: str, new_code: tuple[str, str] | None = None,
               message: str = "") -> HTMLResponse:
    cfg = request.app.state.config
    devs = devices.list_devices(cfg.engine)
    with cfg.engine.connect() as conn:
        feed = conn.execute(select(func.max(change.c.server_seq))).scalar() or 0
        conn.rollback()
    code_box = ""
    if new_code:
        code_box = (f'<p>网点「{escape(new_code[0])}」的登记码（只显示这一次，7 天内有效，只能用一次）：</p>'
                    f'<div class="code">{escape(new_code[1])}</div>')
    err = f'<p class="err">{escape(message)}</p>' if message else ""
    body = f"""<h1>续保台 · 总部</h1>
<div class="sub">数据库：{dialect(cfg.engine)} · 已汇总 {feed} 条变更 · 现在 {datetime.now(_CST):%Y-%m-%d %H:%M}
<form method="post" action="/logout" style="display:inline;margin-left:12px">
<input type="hidden" name="csrf" value="{escape(csrf)}"><button>退出</button></form></div>
<h2>柜台</h2>
<table><thead><tr><th>网点</th><th>柜台</th><th>最后同步</th><th>已收变更</th><th>排队（暂缓）</th>
<th>被拒（同步问题）</th><th>时钟</th><th>审计链锚点</th><th>状态</th><th></th></tr></thead>
<tbody>{_device_rows(devs, csrf)}</tbody></table>
<h2>登记新柜台</h2><div class="box">{err}{code_box}
<form method="post" action="/codes"><input type="hidden" name="csrf" value="{escape(csrf)}">
<label>网点名称：<input type="text" name="branch" maxlength="100" required></label>
<button>生成登记码</button></form>
<p class="off">在柜台上用管理员身份执行“同步登记”并输入登记码；命令行：renewdesk sync --server 地址 --enroll 登记码</p></div>"""
    return _page("续保台 总部", body)


def add_page_routes(app: FastAPI, config) -> None:  # noqa: ANN001
    sessions = Sessions()
    app.state.sessions = sessions

    def _session(request: Request) -> tuple[str | None, str | None]:
        token = request.cookies.get(COOKIE)
        return token, sessions.csrf(token)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        if not config.admin_hash:
            return _page("续保台 总部", "<h1>续保台 · 总部</h1><div class='box'><p class='err'>管理页面未启用：启动总部服务时"
                         "请设置环境变量 RENEWDESK_SERVER_ADMIN_PASSWORD（管理员密码）。</p></div>")
        _, csrf = _session(request)
        if csrf is None:
            return _login_form()
        return _dashboard(request, csrf)

    @app.post("/login", response_class=HTMLResponse, include_in_schema=False)
    def login(password: str = Form("")) -> HTMLResponse:
        if not config.admin_hash:
            return _login_form("管理页面未启用。")
        if time.time() < sessions.locked_until:
            return _login_form("密码错误次数过多，请 5 分钟后再试。")
        if not check_password(password, config.admin_hash):
            sessions.failures += 1
            if sessions.failures >= MAX_FAILURES:
                sessions.failures, sessions.locked_until = 0, time.time() + LOCK_SECONDS
            return _login_form("密码不对，请重新输入。")
        sessions.failures = 0
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, sessions.new(), max_age=SESSION_SECONDS, httponly=True, samesite="strict")
        return resp

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> RedirectResponse:
        sessions.end(request.cookies.get(COOKIE))
        resp = RedirectResponse("/", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    @app.post("/codes", response_class=HTMLResponse, include_in_schema=False)
    def new_code(request: Request, branch: str = Form(""), csrf: str = Form("")) -> HTMLResponse:
        _, want = _session(request)
        if want is None or not hmac.compare_digest(csrf, want):
            return _login_form("请先登录。")
        name = devices.clean_name(branch)
        if name is None:
            return _dashboard(request, want, message="请填写网点名称（1 到 100 个字）。")
        return _dashboard(request, want, new_code=(name, devices.create_code(config.engine, name)))

    @app.post("/devices/{device_id}/revoke", include_in_schema=False)
    def revoke(request: Request, device_id: str, csrf: str = Form("")) -> HTMLResponse:
        _, want = _session(request)
        if want is None or not hmac.compare_digest(csrf, want):
            return _login_form("请先登录。")
        devices.revoke(config.engine, device_id)
        return RedirectResponse("/", status_code=303)
