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
BOLD_FONT_FILE = ("fonts", "renewdesk-hei-bold.ttf")

TEXT = "#111111"
BACKGROUND = "#ffffff"
MUTED = "#3d3d3d"      # secondary text: 10.9:1 on white
WARN = "#8a2200"       # warnings: dark red-brown, 9.6:1 on white (never the only signal)
PANEL = "#f3f3f3"
SELECTION = "#0b3d91"  # white on this: 11:1
PROGRESS = "#a8c6f0"   # progress bar fill: the bar's dark text stays readable over it


@dataclass(frozen=True)
class Palette:
    text: str
    background: str
    muted: str
    warn: str
    panel: str
    selection: str
    selected_text: str
    progress: str
    grid: str
    border: str


NORMAL_COLOURS = Palette(TEXT, BACKGROUND, MUTED, WARN, PANEL, SELECTION, "#ffffff", PROGRESS, "#c8c8c8", TEXT)
# 高对比度 (大字模式 only): white and yellow on black, every pair >= 15:1, borders white and thick.
# Warnings stay words and symbols (never colour alone); yellow only makes them stand out more.
HIGH_CONTRAST = Palette(text="#ffffff", background="#000000", muted="#ffffff", warn="#ffeb3b", panel="#000000",
                        selection="#ffeb3b", selected_text="#000000", progress="#1c4a9e", grid="#ffffff",
                        border="#ffffff")


def palette(elder: bool, high_contrast: bool) -> Palette:
    return HIGH_CONTRAST if elder and high_contrast else NORMAL_COLOURS


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


_bold_family: str | None = None


def _register(parts: tuple[str, str]) -> str | None:
    fid = QFontDatabase.addApplicationFont(str(resource_path(*parts)))
    fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
    return fams[0] if fams else None


def load_font() -> str | None:
    """Register the shipped WenQuanYi Micro Hei so Chinese renders with no system CJK font, and
    the shipped real bold face (RenewDesk Hei Bold) for the big bold lines: Micro Hei has no bold,
    and Qt's synthetic bold is dropped for glyphs drawn as paths (above ~64 px, i.e. the 52 pt
    status word of 大字模式), so the headline lost its bold there."""
    global _bold_family
    regular = _register(FONT_FILE)
    if _bold_family is None:
        _bold_family = _register(BOLD_FONT_FILE)
    return regular


def bold_family() -> str | None:
    return _bold_family


def style_sheet(elder: bool, family: str | None, high_contrast: bool = False) -> str:
    s = sizes(elder)
    c = palette(elder, high_contrast)
    fam = f'font-family: "{family}";' if family else ""
    # the bold face first, the regular family behind it for anything the subset lacks
    bold = (f'font-family: "{_bold_family}", "{family}";' if family else f'font-family: "{_bold_family}";') \
        if _bold_family else ""
    line = 3 if elder and high_contrast else 2
    return f"""
* {{ {fam} font-size: {s.base_pt}pt; color: {c.text}; }}
QMainWindow, QDialog, QWidget#page, QWidget#card, QScrollArea, QScrollArea > QWidget > QWidget, QStackedWidget,
QTabWidget::pane, QMenuBar, QMenu, QStatusBar, QListWidget, QTableView, QTableWidget {{ background: {c.background}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: {c.selection}; color: {c.selected_text}; }}
QPushButton, QToolButton {{ min-height: {s.target_px}px; min-width: {s.target_px}px; padding: 4px 14px;
    border: {line}px solid {c.border}; border-radius: 6px; background: {c.panel}; }}
QPushButton:disabled {{ color: {c.muted}; border-color: {c.muted}; border-style: dashed; }}
QPushButton:focus, QLineEdit:focus {{ border: {line + 1}px solid {c.selection}; }}
QPushButton:checked {{ background: {c.selection}; color: {c.selected_text}; }}
QLineEdit, QComboBox, QDateEdit, QSpinBox, QPlainTextEdit {{ min-height: {s.target_px}px;
    border: {line}px solid {c.muted}; border-radius: 4px; padding: 2px 6px; background: {c.background}; }}
QComboBox {{ padding-right: {s.target_px // 2 + 6}px; }}
QSpinBox {{ min-width: {s.target_px * 3}px; }}
QSpinBox::up-button, QSpinBox::down-button {{ width: {s.target_px // 2}px; }}
QProgressBar {{ min-height: {s.target_px}px; border: {line}px solid {c.muted}; border-radius: 4px; text-align: center; }}
QProgressBar::chunk {{ background: {c.progress}; }}
QRadioButton, QCheckBox {{ min-height: {s.target_px}px; spacing: 10px; }}
QRadioButton::indicator, QCheckBox::indicator {{ width: {s.base_pt + 8}px; height: {s.base_pt + 8}px; }}
{_indicators(s, c) if elder and high_contrast else ""}
QLineEdit#searchBox {{ font-size: {s.search_pt}pt; min-height: {s.target_px + 16}px; border: 3px solid {c.border}; }}
QTableView {{ selection-background-color: {c.selection}; selection-color: {c.selected_text};
    gridline-color: {c.grid}; }}
QHeaderView::section {{ background: {c.panel}; border: 1px solid {c.grid}; padding: 4px; font-weight: bold; }}
QLabel#cardPlate {{ {bold} font-size: {s.plate_pt}pt; font-weight: bold; }}
QLabel#statusWord {{ {bold} font-size: {s.status_pt}pt; font-weight: bold; }}
QLabel#daysLine {{ {bold} font-size: {s.card_pt + 4}pt; font-weight: bold; }}
QLabel#cardLine, QLabel#cardWarn, QLabel#notFound {{ font-size: {s.card_pt}pt; }}
QLabel#cardSmall {{ font-size: {max(s.base_pt, s.card_pt - 4)}pt; color: {c.muted}; }}
QLabel#cardWarn, QLabel#fieldError, QLabel#errorLine {{ color: {c.warn}; font-weight: bold; }}
QLineEdit[bad="true"], QComboBox[bad="true"], QDateEdit[bad="true"] {{ border: 3px solid {c.warn}; }}
QFrame#statusBox {{ border: 3px solid {c.border}; border-radius: 8px; background: {c.background}; }}
QStatusBar QLabel {{ color: {c.text}; }}
"""


def _indicators(s: Sizes, c: Palette) -> str:
    """高对比度: the native radio/check marks are grey on black; draw them white-rimmed, filled
    yellow when chosen (the words beside them say what is chosen too)."""
    d = s.base_pt + 8
    return f"""
QRadioButton::indicator, QCheckBox::indicator {{ border: 3px solid {c.border}; background: {c.background}; }}
QRadioButton::indicator {{ border-radius: {(d + 6) // 2}px; }}
QRadioButton::indicator:checked, QCheckBox::indicator:checked {{ background: {c.selection}; }}
QRadioButton::indicator:focus, QCheckBox::indicator:focus {{ border-color: {c.selection}; }}
"""


def apply(app: QApplication, elder: bool, family: str | None, high_contrast: bool = False) -> None:
    if family:
        f = QFont(family)
        f.setPointSize(sizes(elder).base_pt)
        app.setFont(f)
    app.setStyleSheet(style_sheet(elder, family, high_contrast))


def _luminance(c: QColor) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two colours."""
    a, b = _luminance(QColor(fg)), _luminance(QColor(bg))
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def pairs(c: Palette) -> tuple[tuple[str, str], ...]:
    """Every foreground/background pair a palette puts on screen."""
    return ((c.text, c.background), (c.muted, c.background), (c.warn, c.background), (c.text, c.panel),
            (c.muted, c.panel), (c.selected_text, c.selection), (c.text, c.progress))


PAIRS = pairs(NORMAL_COLOURS)
