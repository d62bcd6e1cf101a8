"""First run: no store in the data dir. Create one (what `renewdesk init` does) or restore a backup.

It says where the data lives and how the key is kept BEFORE anything is created, and that a lost
passphrase cannot be recovered by anyone: the Create button stays off until that is ticked.
The work runs off the GUI thread through the callbacks the composition root passes in.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import strength

from .widgets import button_row, error_line, error_text

# create(values: dict, on_done(None), on_error(exc)); restore(file, passphrase, on_done(aside), on_error)
CreateFn = Callable[[dict, Callable, Callable], None]
RestoreFn = Callable[[Path, str, Callable, Callable], None]


def _secret() -> QLineEdit:
    e = QLineEdit()
    e.setEchoMode(QLineEdit.EchoMode.Password)
    return e


class SetupDialog(QDialog):
    def __init__(self, data_dir: Path, keyring_usable: bool, create: CreateFn, restore: RestoreFn,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._create, self._restore = create, restore
        self.outcome: str | None = None  # "created" | "restored"
        self.admin_name = ""
        self.setWindowTitle(self.tr("RenewDesk — first-time set-up"))
        title = QLabel(self.tr("Set up this counter"), objectName="cardPlate")
        where = QLabel(self.tr("The data of this counter will be kept, encrypted, in:\n%1")
                       .replace("%1", str(data_dir)), objectName="setupWhere")
        where.setWordWrap(True)
        key = QLabel(self.tr("This computer's key store will keep the key, so staff only need their own "
                             "password each day.") if keyring_usable else
                     self.tr("This computer has no usable key store: the database passphrase will be asked "
                             "for each time RenewDesk starts."), objectName="setupKey")
        key.setWordWrap(True)
        self.warning = QLabel(self.tr("Important: write the database passphrase down and keep it somewhere safe. "
                                      "If it is lost, nobody, not even the RenewDesk team, can open the data or "
                                      "its backups again."), objectName="errorLine")
        self.warning.setWordWrap(True)

        self.org, self.counter, self.admin = QLineEdit(), QLineEdit(), QLineEdit("admin")
        self.org.setPlaceholderText(self.tr("e.g. 示例车行"))
        self.counter.setPlaceholderText(self.tr("e.g. 1号柜台"))
        self.admin_pw, self.admin_pw2 = _secret(), _secret()
        self.passphrase, self.passphrase2 = _secret(), _secret()
        self.strength = QLabel(objectName="cardLine")
        self.passphrase.textChanged.connect(self._show_strength)
        self._show_strength("")
        form = QFormLayout()
        form.addRow(self.tr("Organisation"), self.org)
        form.addRow(self.tr("Counter name"), self.counter)
        form.addRow(self.tr("Administrator account"), self.admin)
        form.addRow(self.tr("Administrator password"), self.admin_pw)
        form.addRow(self.tr("Password again"), self.admin_pw2)
        form.addRow(self.tr("Database passphrase"), self.passphrase)
        form.addRow(self.tr("Passphrase again"), self.passphrase2)
        form.addRow("", self.strength)
        self.understood = QCheckBox(self.tr("I have written the passphrase down; I know it cannot be recovered"))
        self.error = error_line()
        self.create_btn = QPushButton(self.tr("Create the database"))
        self.create_btn.setDefault(True)
        self.create_btn.setEnabled(False)
        self.understood.toggled.connect(self.create_btn.setEnabled)
        self.create_btn.clicked.connect(self.submit)
        self.restore_btn = QPushButton(self.tr("Restore from a backup instead…"))
        self.restore_btn.clicked.connect(self.choose_backup)
        self.quit_btn = QPushButton(self.tr("Quit"))
        self.quit_btn.clicked.connect(self.reject)

        lay = QVBoxLayout(self)
        for w in (title, where, key, self.warning):
            lay.addWidget(w)
        lay.addLayout(form)
        lay.addWidget(self.understood)
        lay.addWidget(self.error)
        lay.addLayout(button_row(self.quit_btn, self.restore_btn, self.create_btn))
        self.setMinimumWidth(760)

    def _show_strength(self, text: str) -> None:
        label = {strength.WEAK: self.tr("Strength: weak — use at least 6 characters, better a short sentence"),
                 strength.FAIR: self.tr("Strength: fair — longer is better"),
                 strength.STRONG: self.tr("Strength: strong")}[strength.strength(text)]
        self.strength.setText(label)

    def fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        for b in (self.create_btn, self.restore_btn):
            b.setEnabled(True)
        self.create_btn.setEnabled(self.understood.isChecked())

    def submit(self) -> None:
        if not self.understood.isChecked():
            return
        if self.passphrase.text() != self.passphrase2.text():
            self.fail(self.tr("The two passphrases differ. Type the same passphrase twice."))
            return
        if self.admin_pw.text() != self.admin_pw2.text():
            self.fail(self.tr("The two passwords differ. Type the same password twice."))
            return
        values = dict(org=self.org.text().strip() or None, counter=self.counter.text().strip() or None,
                      admin=self.admin.text().strip(), password=self.admin_pw.text(),
                      passphrase=self.passphrase.text())
        self.error.hide()
        self.create_btn.setEnabled(False)
        self.restore_btn.setEnabled(False)
        self.admin_name = values["admin"]
        self._create(values, lambda _r: self._finish("created"), lambda exc: self.fail(error_text(exc)))

    def choose_backup(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a RenewDesk backup"), "",
                                              self.tr("RenewDesk backups (*.rdbak);;All files (*)"))
        if path:
            phrase, ok = QInputDialog.getText(self, self.tr("Restore a backup"),
                                              self.tr("The database passphrase of the counter that made this backup:"),
                                              QLineEdit.EchoMode.Password)
            if ok and phrase:
                self.restore_from(Path(path), phrase)

    def restore_from(self, path: Path, phrase: str) -> None:
        self.error.hide()
        self.create_btn.setEnabled(False)
        self.restore_btn.setEnabled(False)
        self._restore(path, phrase, lambda _aside: self._finish("restored"), lambda exc: self.fail(error_text(exc)))

    def _finish(self, outcome: str) -> None:
        self.outcome = outcome
        self.accept()
