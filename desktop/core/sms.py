"""Reminder SMS text: the template, its length as SMS platforms bill it, and the banned-word check.

Pure. Platforms count every character (Chinese, Latin, digit, punctuation, the 【signature】) as
one; a message up to 70 characters is one SMS, a longer one is split into parts of 67.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

__all__ = ["PLACEHOLDERS", "SINGLE", "PART", "SmsTemplateError", "banned_in", "parse_banned", "parse_sms_template",
           "render", "segments"]

PLACEHOLDERS = ("org", "plate_masked", "ci_end_date", "days_phrase", "counter_name", "counter_phone")
SINGLE, PART = 70, 67
_FIELD = re.compile(r"\{(\w*)\}")


class SmsTemplateError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_sms_template(source: str) -> str:
    """The first line that is not a comment; unknown placeholders fail here, before any export."""
    lines = [ln.strip() for ln in source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise SmsTemplateError("短信模板是空的：请写一行短信正文。")
    text = lines[0]
    for name in _FIELD.findall(text):
        if name not in PLACEHOLDERS:
            raise SmsTemplateError(f"短信模板有未知的占位符 {{{name}}}。可用：{'、'.join('{' + p + '}' for p in PLACEHOLDERS)}")
    if text.count("{") != text.count("}"):
        raise SmsTemplateError("短信模板的花括号不成对。")
    return text


def parse_banned(source: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in source.splitlines() if w.strip() and not w.lstrip().startswith("#"))


def render(template: str, values: Mapping[str, str]) -> str:
    return _FIELD.sub(lambda m: str(values.get(m.group(1), "")), template)


def segments(text: str) -> int:
    n = len(text)
    return 1 if n <= SINGLE else math.ceil(n / PART)


def banned_in(text: str, words: Iterable[str]) -> list[str]:
    return [w for w in words if w and w in text]
