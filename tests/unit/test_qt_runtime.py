"""The Qt binding we ship must not leak references to None (PySide6 6.12.0 on CPython 3.11 does,
and the interpreter then aborts mid-batch with "Fatal Python error: none_dealloc")."""
import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont


def test_void_calls_do_not_leak_none_references():
    point, font = QPointF(), QFont()
    before = sys.getrefcount(None)
    for _ in range(2000):
        point.setX(1.0)
        font.setBold(True)
    assert sys.getrefcount(None) >= before - 50  # other code may drop a few; a leak drops 4000
