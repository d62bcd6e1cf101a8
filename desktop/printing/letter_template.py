"""Reminder-letter templates: plain UTF-8 text with {placeholders}.

Syntax (documented for staff in resources/templates/README.md):
- a line starting with "#" is a comment;
- a blank line leaves a small gap between paragraphs;
- "!! " at the start: key line (large, bold); "** ": bold body line;
- every other line is one body paragraph (wrapped to the column);
- a line whose placeholder has no value (no phone on file, no 商业险) is left
  out entirely, so the letter never prints a dangling "电话：";
- "{{" and "}}" print a literal brace.
Placeholders are checked when the template is loaded, not when the 3,000th
letter is drawn.
"""
from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from desktop.core.errors import BadInput

from .layout import Para

__all__ = ["ALLOWED_PLACEHOLDERS", "LetterTemplate", "TemplateError", "load_letter_template",
           "parse_letter_template"]

# Name -> what it prints. Personal fields are masked: the letter body is mailed.
ALLOWED_PLACEHOLDERS: dict[str, str] = {
    "owner_masked": "车主姓名（遮挡，如 张**）",
    "plate_masked": "车牌号（遮挡，如 京A1***5）",
    "phone_masked": "车主登记的电话（遮挡，如 138****5678）",
    "insurer": "上年交强险承保公司",
    "status_label": "状态符号和文字（如 ▲ 可续保）",
    "ci_end_date": "交强险最后一天（如 2026年12月31日（当日24时止））",
    "days_phrase": "剩余或已脱保天数（如 还有 23 天到期 / 已脱保 5 天）",
    "bi_end_date": "商业险最后一天",
    "lapse_consequences": "脱保后果（多行，每行以 · 开头）",
    "what_to_bring": "续保要带的证件",
    "reminder_title": "提醒事项标题（如 交强险续保提醒 / 交强险续保和年检提醒）",
    "vehicle_tax": "车船税金额，随交强险一并缴纳（如 360 元；没有记录金额时为“按当地标准”；纯电动等免税车整行不印）",
    "inspection_due": "年检检验有效期至（只在与交强险同时到期时有，如 2026年12月31日）",
    "counter_name": "本柜台名称",
    "org": "本店（车行或代理公司）名称",
    "counter_title": "本店名称和柜台名称（如 示例车行　1号柜台）",
    "counter_phone": "本柜台电话（完整）",
    "counter_address": "本柜台地址",
    "counter_hours": "营业时间",
    "letter_date": "信件日期（如 2026年11月20日）",
}

BODY, KEY, BOLD, GAP = "body", "key", "bold", "gap"
_PREFIX = (("!! ", KEY), ("** ", BOLD))


class TemplateError(BadInput, ValueError):
    """The letter template cannot be used; the message (Chinese) says where and why."""


@dataclass(frozen=True)
class _Line:
    style: str
    text: str  # a str.format() pattern
    fields: tuple[str, ...]


@dataclass(frozen=True)
class LetterTemplate:
    name: str
    lines: tuple[_Line, ...]

    def render(self, values: Mapping[str, str], body_pt: float, key_pt: float) -> list[Para]:
        """The paragraphs for one letter; `values` must hold every allowed placeholder."""
        out: list[Para] = []
        gap = 0.0
        for ln in self.lines:
            if ln.style == GAP:
                gap = body_pt * 0.5
                continue
            if any(not values.get(f) for f in ln.fields):
                continue  # nothing to say on this line for this letter
            size = key_pt if ln.style == KEY else body_pt
            out.append(Para(ln.text.format_map(values), size, ln.style != BODY, gap if out else 0.0))
            gap = 0.0
        return out


def _allowed_list() -> str:
    return "、".join("{" + k + "}" for k in ALLOWED_PLACEHOLDERS)


def parse_letter_template(text: str, name: str = "信件模板") -> LetterTemplate:
    lines: list[_Line] = []
    fmt = string.Formatter()
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if line.startswith("#"):
            continue
        if not line.strip():
            if lines and lines[-1].style != GAP:
                lines.append(_Line(GAP, "", ()))
            continue
        style = BODY
        for prefix, st in _PREFIX:
            if line.startswith(prefix):
                style, line = st, line[len(prefix):]
                break
        try:
            parts = list(fmt.parse(line))
        except ValueError:
            raise TemplateError(f"{name}第 {no} 行的花括号不配对：“{raw.strip()}”。"
                                f"占位符要写成 {{名称}}；要印出花括号本身请写 {{{{ 或 }}}}。") from None
        fields = []
        for _lit, field, spec, conv in parts:
            if field is None:
                continue
            if field not in ALLOWED_PLACEHOLDERS:
                shown = "{" + field + "}" if field else "{}"
                raise TemplateError(f"{name}第 {no} 行有不认识的占位符 {shown}。"
                                    f"可以用的占位符：{_allowed_list()}。")
            if spec or conv:
                raise TemplateError(f"{name}第 {no} 行的占位符 {{{field}}} 后面不能加格式"
                                    f"（“:”或“!”）。请只写 {{{field}}}。")
            fields.append(field)
        lines.append(_Line(style, line, tuple(fields)))
    while lines and lines[-1].style == GAP:
        lines.pop()
    if not any(ln.style != GAP for ln in lines):
        raise TemplateError(f"{name}是空的：没有任何要打印的内容。")
    return LetterTemplate(name, tuple(lines))


def load_letter_template(path: str | os.PathLike[str]) -> LetterTemplate:
    """Read and check a template file (UTF-8); raises TemplateError in Chinese."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TemplateError(f"找不到信件模板文件：{p}") from None
    except UnicodeDecodeError:
        raise TemplateError(f"信件模板 {p.name} 不是 UTF-8 编码。请用记事本“另存为 UTF-8”后再试。") from None
    return parse_letter_template(text, f"信件模板 {p.name} ")
