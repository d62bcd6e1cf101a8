"""提醒信 → 预览第一封: the first letter of the counted batch as it will print (issue 11).

The page is drawn on the I/O lane (desktop.printing.letter_preview, the same drawing code as the
PDF and the printer); this dialog only shows the finished image, scaled to the screen.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop.core.timeutil import cst_date
from desktop.printing.letter_preview import LetterPreview, render_first_page
from desktop.services import letters as letters_svc

from .widgets import button_row


def first_letter_task(selection: letters_svc.Selection, backend):
    """A task (progress, cancel) -> LetterPreview for the I/O lane; reads nothing from the store."""
    counter = letters_svc.counter_info(backend.settings)
    day = cst_date(backend.now())
    res = backend.resources

    def work(progress, cancel) -> LetterPreview:
        from desktop.printing.letter import load_letter_template

        template = load_letter_template(res.letter_template)
        first = next(letters_svc.iter_letter_data(selection, counter, day))
        return render_first_page(first, template, res.font)

    return work


class LetterPreviewDialog(QDialog):
    def __init__(self, preview: LetterPreview, total: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(self.tr("Preview: the first letter"))
        self.info = QLabel(self.tr("Letter 1 of %1 (this letter takes %2 pages); page 1 shown, as it will print.")
                           .replace("%1", str(total)).replace("%2", str(preview.pages)), objectName="cardSmall")
        self.info.setWordWrap(True)
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        avail = screen.availableGeometry()
        width = min(preview.image.width(), avail.width() - 120)
        self.page = QLabel()
        self.page.setPixmap(QPixmap.fromImage(preview.image).scaledToWidth(
            width, Qt.TransformationMode.SmoothTransformation))
        self.page.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.page)
        self.scroll.setWidgetResizable(True)
        self.close_btn = QPushButton(self.tr("Close"))
        self.close_btn.setDefault(True)
        self.close_btn.clicked.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addWidget(self.scroll, 1)
        lay.addLayout(button_row(self.close_btn))
        self.resize(min(width + 80, avail.width() - 20), avail.height() - 40)
