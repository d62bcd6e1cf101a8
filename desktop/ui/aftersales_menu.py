"""The one hook for after-sales in the window: actions on the 服务 (service) menu — complaints,
the claims guidance slip for the vehicle on the card, the insurer directory, the SMS list."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog

from .aftersales_backend import AftersalesBackend
from .aftersales_dialogs import DirectoryDialog, GuideDialog, SmsDialog
from .complaints_dialog import ComplaintsDialog
from .menus import make_action


class AftersalesMenu(QObject):
    def __init__(self, window, runner, backend: AftersalesBackend):
        super().__init__(window)
        self.window, self.runner, self.backend = window, runner, backend
        self.dialog: QDialog | None = None
        self.complaints_action = make_action(window, self.tr("Complaints…"), self.open_complaints, None,
                                             "complaintsAction")
        self.guide_action = make_action(window, self.tr("Claims guidance slip…"), self.open_guide, "Ctrl+G",
                                        "guideAction")
        self.directory_action = make_action(window, self.tr("Insurer directory…"), self.open_directory, None,
                                            "directoryAction")
        self.sms_action = make_action(window, self.tr("SMS reminder list…"), self.open_sms, None, "smsAction")
        for a in (self.guide_action, self.complaints_action, self.directory_action, self.sms_action):
            window.add_menu_action("service", a)

    def _match(self):
        card = getattr(self.window, "card", None)
        return getattr(card, "match", None)

    def _show(self, dlg: QDialog) -> QDialog:
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.dialog = dlg
        return dlg

    def open_complaints(self) -> QDialog:
        return self._show(ComplaintsDialog(self.runner, self.backend, self.window.session, self._match(),
                                           self.window))

    def open_guide(self) -> QDialog | None:
        match = self._match()
        if match is None:
            self.window.statusBar().showMessage(self.tr("Look up the vehicle first, then print its claims guidance."),
                                                8000)
            return None
        return self._show(GuideDialog(self.runner, self.backend, self.window.session, match, self.window))

    def open_directory(self) -> QDialog:
        return self._show(DirectoryDialog(self.runner, self.backend, self.window.session, self.window))

    def open_sms(self) -> QDialog:
        return self._show(SmsDialog(self.runner, self.backend, self.window.session, self.window))


def install(window, runner, engine) -> AftersalesMenu:
    return AftersalesMenu(window, runner, AftersalesBackend(engine))
