"""The claims-guidance wording (resources/templates/guide_zh.txt): parsed and checked at load.

An editable text file, not code: one block per accident type with its steps, photos, materials and
tips, plus a footer. A wrong section, an unknown placeholder or a missing accident type fails at
load with a Chinese message naming the line, before anything is printed.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .letter_template import TemplateError

__all__ = ["ACCIDENTS", "PLACEHOLDERS", "AccidentText", "GuideTemplate", "TemplateError", "load_guide_template"]

ACCIDENTS = ("single", "two_no_injury", "injury", "glass", "theft", "disaster")
PLACEHOLDERS = ("claims_phone", "roadside_phone", "report_within", "insurer", "counter_phone")
_PARTS = {"步骤": "steps", "拍照": "photos", "材料": "materials", "提示": "tips"}
_HEAD = re.compile(r"^\[(\w+)\]\s*(.*)$")
_FIELD = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True)
class AccidentText:
    code: str
    label: str
    steps: tuple[str, ...]
    photos: tuple[str, ...]
    materials: tuple[str, ...]
    tips: tuple[str, ...]


@dataclass(frozen=True)
class GuideTemplate:
    accidents: dict[str, AccidentText]
    footer: tuple[str, ...]

    def filled(self, code: str, values: dict[str, str]) -> tuple[AccidentText, tuple[str, ...]]:
        """The accident's text and the footer with placeholders filled (every one has a value)."""
        a = self.accidents[code]

        def f(lines: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(_FIELD.sub(lambda m: values.get(m.group(1), ""), ln) for ln in lines)

        return AccidentText(a.code, a.label, f(a.steps), f(a.photos), f(a.materials), f(a.tips)), f(self.footer)


def _check_line(text: str, n: int) -> None:
    for name in _FIELD.findall(text):
        if name not in PLACEHOLDERS:
            raise TemplateError(f"理赔指引模板第 {n} 行有未知的占位符 {{{name}}}。"
                                f"可用：{'、'.join('{' + p + '}' for p in PLACEHOLDERS)}")
    if text.count("{") != text.count("}"):
        raise TemplateError(f"理赔指引模板第 {n} 行的花括号不成对。")


def parse_guide_template(source: str) -> GuideTemplate:
    blocks: dict[str, dict] = {}
    footer: list[str] = []
    current: dict | None = None
    part: str | None = None
    for n, raw in enumerate(source.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head = _HEAD.match(line)
        if head:
            code, label = head.group(1), head.group(2).strip()
            if code == "footer":
                current, part = None, "footer"
                continue
            if code not in ACCIDENTS:
                raise TemplateError(f"理赔指引模板第 {n} 行：不认识的事故类型 [{code}]，可用：{'、'.join(ACCIDENTS)}。")
            if code in blocks:
                raise TemplateError(f"理赔指引模板第 {n} 行：[{code}] 出现了两次。")
            if not label:
                raise TemplateError(f"理赔指引模板第 {n} 行：[{code}] 后面要写标题，例如“单车事故”。")
            current = blocks[code] = {"label": label, "steps": [], "photos": [], "materials": [], "tips": []}
            part = None
            continue
        if line.rstrip(":：") in _PARTS and line[-1] in ":：":
            if current is None:
                raise TemplateError(f"理赔指引模板第 {n} 行：“{line}”要写在某个 [事故类型] 下面。")
            part = _PARTS[line.rstrip(":：")]
            continue
        _check_line(line, n)
        if part == "footer":
            footer.append(line)
        elif current is not None and part:
            current[part].append(line)
        else:
            raise TemplateError(f"理赔指引模板第 {n} 行不在任何小段里：先写“步骤:”“拍照:”“材料:”或“提示:”。")
    missing = [c for c in ACCIDENTS if c not in blocks]
    if missing:
        raise TemplateError(f"理赔指引模板缺少事故类型：{'、'.join(missing)}。")
    for code, b in blocks.items():
        if not b["steps"] or not b["materials"]:
            raise TemplateError(f"理赔指引模板 [{code}] 至少要有“步骤:”和“材料:”各一条。")
    accidents = {c: AccidentText(c, b["label"], tuple(b["steps"]), tuple(b["photos"]), tuple(b["materials"]),
                                 tuple(b["tips"])) for c, b in blocks.items()}
    return GuideTemplate(accidents, tuple(footer))


def load_guide_template(path: str | os.PathLike[str]) -> GuideTemplate:
    p = Path(path)
    try:
        source = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TemplateError(f"找不到理赔指引模板：{p}") from None
    except (OSError, UnicodeDecodeError):
        raise TemplateError(f"理赔指引模板无法读取（应为 UTF-8 文本）：{p}") from None
    return parse_guide_template(source)
