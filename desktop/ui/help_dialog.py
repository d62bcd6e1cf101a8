"""The help page (F1): how to search, what each status means, the shortcuts."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from desktop.core.wording import STATUS_LABEL, STATUS_SYMBOL

from .widgets import button_row


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Help"))
        meaning = {
            "ACTIVE": self.tr("Covered; renewal is not open yet (more than the lead days before the end)."),
            "DUE": self.tr("Covered, and renewal is open now: offer to renew."),
            "RENEWED": self.tr("A new cover already follows the current one without a break."),
            "LAPSED": self.tr("No cover now: the car must not be driven until insured."),
            "PENDING": self.tr("A cover is bought but has not started yet."),
            "NONE": self.tr("We have no 交强险 record for this car (not the same as uninsured)."),
        }
        rows = "".join(f"<li><b>{STATUS_SYMBOL[k]} {STATUS_LABEL[k]}</b>：{v}</li>" for k, v in meaning.items())
        html = (
            "<h2>" + self.tr("How to search") + "</h2><p>"
            + self.tr("Type a plate (京A12345, also without the province or only its start such as 粤B), "
                      "the last 6 of the VIN, a phone or its last 4 digits, the last 4 of the ID number, "
                      "the owner's name, or its pinyin. Results appear as you type; the card shows the "
                      "selected row. Enter or a double-click opens it as a recorded lookup.")
            + "</p><h2>" + self.tr("What each status means") + f"</h2><ul>{rows}</ul>"
            + "<h2>" + self.tr("Keys") + "</h2><ul>"
            + "<li>Ctrl+F " + self.tr("search") + "</li><li>Ctrl+R " + self.tr("record what happened")
            + "</li><li>Ctrl+P " + self.tr("print slip") + "</li><li>Ctrl+N " + self.tr("register vehicle")
            + "</li><li>Ctrl+L " + self.tr("lock screen") + "</li><li>F1 " + self.tr("this help")
            + "</li><li>Esc " + self.tr("clear the search and the card") + "</li></ul>")
        self.text = QTextBrowser()
        self.text.setHtml(html)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text, 1)
        lay.addLayout(button_row(close))
        self.resize(760, 620)
