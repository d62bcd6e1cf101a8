"""Backup and restore (admin): back up now to a chosen folder (a USB drive, say), the list of the
automatic daily backups, and restore from a backup file with the passphrase of the counter that
made it. Restore verifies the backup first and keeps the replaced store in <data dir>/replaced/.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .widgets import button_row, error_line, error_text


class BackupDialog(QDialog):
    restored = Signal(object)  # the folder the replaced store was moved to (or None)

    def __init__(self, runner, admin, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.admin, self.session = runner, admin, session
        self.last_backup: Path | None = None
        self.setWindowTitle(self.tr("Backup and restore"))
        intro = QLabel(self.tr("A backup is one file holding the encrypted data and its wrapped key. To restore it "
                               "on this or a new PC you need that file and the database passphrase, nothing "
                               "else. Keep a copy away from this PC (a USB drive in a drawer)."))
        intro.setWordWrap(True)
        self.status = QLabel(objectName="cardLine")
        self.status.setWordWrap(True)
        self.autos = QListWidget()
        self.error = error_line()
        self.backup_btn = QPushButton(self.tr("Back up now…"))
        self.backup_btn.setDefault(True)
        self.backup_btn.clicked.connect(self.choose_folder)
        self.restore_btn = QPushButton(self.tr("Restore from a backup…"))
        self.restore_btn.clicked.connect(self.choose_backup)
        self.close_btn = QPushButton(self.tr("Close"))
        self.close_btn.clicked.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(QLabel(self.tr("Automatic daily backups (in the data folder):")))
        lay.addWidget(self.autos, 1)
        lay.addWidget(self.status)
        lay.addWidget(self.error)
        lay.addLayout(button_row(self.close_btn, self.restore_btn, self.backup_btn))
        self.resize(900, 560)
        self.refresh()

    def refresh(self) -> None:
        self.runner.db(self.admin.list_auto_backups, on_done=self._show_autos, on_error=self.fail)

    def _show_autos(self, items: list) -> None:
        self.autos.clear()
        for b in items:
            self.autos.addItem(f"{b.made_at:%Y-%m-%d %H:%M}  {b.path.name}  ({max(1, b.size // 1024)} KB)")
        if not items:
            self.autos.addItem(self.tr("(none yet)"))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Where to put the backup"),
                                                  str(self.admin.data_dir / "backups"))
        if folder:
            self.backup_to(Path(folder))

    def backup_to(self, folder: Path) -> None:
        self.error.hide()
        self.backup_btn.setEnabled(False)
        self.status.setText(self.tr("Backing up…"))
        self.runner.db(partial(self.admin.backup_now, self.session, folder), on_done=self._backed_up,
                       on_error=self.fail)

    def _backed_up(self, path: Path) -> None:
        self.last_backup = path
        self.backup_btn.setEnabled(True)
        self.status.setText(self.tr("Backup written: %1").replace("%1", str(path)))

    def choose_backup(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a RenewDesk backup"), "",
                                              self.tr("RenewDesk backups (*.rdbak);;All files (*)"))
        if not path:
            return
        sure = QMessageBox.question(self, self.tr("Restore a backup"),
                                    self.tr("Restoring replaces the data on this PC with the backup's. The current "
                                            "data is kept in the data folder under “replaced”. Continue?"))
        if sure != QMessageBox.StandardButton.Yes:
            return
        phrase, ok = QInputDialog.getText(self, self.tr("Restore a backup"),
                                          self.tr("The database passphrase of the counter that made this backup:"),
                                          QLineEdit.EchoMode.Password)
        if ok and phrase:
            self.restore_from(Path(path), phrase)

    def restore_from(self, path: Path, phrase: str) -> None:
        self.error.hide()
        self.restore_btn.setEnabled(False)
        self.status.setText(self.tr("Checking the backup, then restoring…"))
        self.runner.db(partial(self.admin.restore, self.session, path, phrase), on_done=self._restored,
                       on_error=self._restore_failed)

    def _restored(self, aside) -> None:
        self.restored.emit(aside)
        self.accept()

    def _restore_failed(self, exc: object) -> None:
        # Nothing was replaced: the engine reconnects to the same store on its next use.
        self.restore_btn.setEnabled(True)
        self.fail(exc)

    def fail(self, exc: object) -> None:
        self.status.setText("")
        self.backup_btn.setEnabled(True)
        self.error.setText(error_text(exc))
        self.error.show()
