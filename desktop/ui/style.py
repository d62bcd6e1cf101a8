"""Look and size: the shipped CJK font, the normal and elder (大字模式) style sheets, contrast.

Elder mode follows the MIIT 适老化 figures (domain-rules §8): every text >= 18 pt, targets >= 60 px,
contrast >= 4.5:1. The normal mode already shows the card in large type. Status is never shown by
colour alone: the card always has the word and a symbol; colours here are dark on light.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop.paths import resource_path

FONT_FILE = ("fonts", "wqy-microhei.ttc")

TEXT = "#111111"
BACKGROUND = "#ffffff"
MUTED = "#3d3d3d"      # secondary text: 10.9:1 on white
WARN = "#8a2200"       # warnings: dark red-brown, 9.6:1 on white (never the only signal)
PANEL = "#f3f3f3"
SELECTION = "#0b3d91"  # white on this: 11:1
PROGRESS = "#a8c6f0"   # progress bar fill: the bar's dark text stays readable over it


@dataclass(frozen=True)
class Sizes:
    base_pt: int       # every widget
    card_pt: int       # the card's figures
    plate_pt: int
    status_pt: int     # the LARGE status word and symbol
    search_pt: int
    target_px: int     # buttons, boxes, rows


NORMAL = Sizes(base_pt=12, card_pt=16, plate_pt=26, status_pt=40, search_pt=22, target_px=40)
ELDER = Sizes(base_pt=18, card_pt=22, plate_pt=32, status_pt=52, search_pt=26, target_px=60)


def sizes(elder: bool) -> Sizes:
    return ELDER if elder else NORMAL


def load_font() -> str | None:
    """Register the shipped WenQuanYi Micro Hei so Chinese renders with no system CJK font."""
    fid = QFontDatabase.addApplicationFont(str(resource_path(*FONT_FILE)))
    fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
    return fams[0] if fams else None


def style_sheet(elder: bool, family: str | None) -> str:
    s = sizes(elder)
    fam = f'font-family: "{family}";' if family else ""
    return f"""
* {{ {fam} font-size: {s.base_pt}pt; color: {TEXT}; }}
QMainWindow, QDialog, QWidget#page, QWidget#card {{ background: {BACKGROUND}; }}
QPushButton, QToolButton {{ min-height: {s.target_px}px; min-width: {s.target_px}px; padding: 4px 14px;
    border: 2px solid {TEXT}; border-radius: 6px; background: {PANEL}; }}
QPushButton:disabled {{ color: {MUTED}; border-color: {MUTED}; }}
QPushButton:focus, QLineEdit:focus {{ border: 3px solid {SELECTION}; }}
QPushButton:checked {{ background: {SELECTION}; color: #ffffff; }}
QLineEdit, QComboBox, QDateEdit, QSpinBox, QPlainTextEdit {{ min-height: {s.target_px}px; border: 2px solid {MUTED};
    border-radius: 4px; padding: 2px 6px; background: {BACKGROUND}; }}
QComboBox {{ padding-right: {s.target_px // 2 + 6}px; }}
QSpinBox {{ min-width: {s.target_px * 3}px; }}
QSpinBox::up-button, QSpinBox::down-button {{ width: {s.target_px // 2}px; }}
QProgressBar {{ min-height: {s.target_px}px; border: 2px solid {MUTED}; border-radius: 4px; text-align: center; }}
QProgressBar::chunk {{ background: {PROGRESS}; }}
QRadioButton, QCheckBox {{ min-height: {s.target_px}px; spacing: 10px; }}
QRadioButton::indicator, QCheckBox::indicator {{ width: {s.base_pt + 8}px; height: {s.base_pt + 8}px; }}
QLineEdit#searchBox {{ font-size: {s.search_pt}pt; min-height: {s.target_px + 16}px; border: 3px solid {TEXT}; }}
QTableView {{ selection-background-color: {SELECTION}; selection-color: #ffffff; gridline-color: #c8c8c8; }}
QHeaderView::section {{ background: {PANEL}; border: 1px solid #c8c8c8; padding: 4px; font-weight: bold; }}
QLabel#cardPlate {{ font-size: {s.plate_pt}pt; font-weight: bold; }}
QLabel#statusWord {{ font-size: {s.status_pt}pt; font-weight: bold; }}
QLabel#daysLine {{ font-size: {s.card_pt + 4}pt; font-weight: bold; }}
QLabel#cardLine, QLabel#cardWarn, QLabel#notFound {{ font-size: {s.card_pt}pt; }}
QLabel#cardSmall {{ font-size: {max(s.base_pt, s.card_pt - 4)}pt; color: {MUTED}; }}
QLabel#cardWarn, QLabel#fieldError, QLabel#errorLine {{ color: {WARN}; font-weight: bold; }}
QFrame#statusBox {{ border: 3px solid {TEXT}; border-radius: 8px; background: {BACKGROUND}; }}
QStatusBar QLabel {{ color: {TEXT}; }}
"""


def apply(app: QApplication, elder: bool, family: str | None) -> None:
    if family:
        f = QFont(family)
        f.setPointSize(sizes(elder).base_pt)
        app.setFont(f)
    app.setStyleSheet(style_sheet(elder, family))


def _luminance(c: QColor) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two colours."""
    a, b = _luminance(QColor(fg)), _luminance(QColor(bg))
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


PAIRS = ((TEXT, BACKGROUND), (MUTED, BACKGROUND), (WARN, BACKGROUND), (TEXT, PANEL), (MUTED, PANEL),
         ("#ffffff", SELECTION), (TEXT, PROGRESS))
