"""Small dialogs from the card: the coefficient on the insurer's 《交强险费率浮动告知单》, a
年检 date read off the 行驶证 (检验有效期至), and the use and seats an import did not bring. Each
submits through the task runner and shows the service's Chinese message beside the field when the
input is wrong; nothing is stored then."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .widgets import button_row, error_line, error_text

Submit = Callable[[tuple, Callable, Callable], None]  # (values, on_done, on_error)


class _CardDialog(QDialog):
    def __init__(self, submit: Submit, parent: QWidget | None = None):
        super().__init__(parent)
        self.submit = submit
        self.error = error_line()
        self.ok = QPushButton()
        self.ok.setDefault(True)
        self.cancel = QPushButton()
        self.ok.clicked.connect(self._ok)
        self.cancel.clicked.connect(self.reject)
        self.result_value: object = None

    def _arrange(self, intro: QLabel, form: QFormLayout) -> None:
        """The one layout of every card dialog: the explanation, the fields, the error line, the
        buttons. The words stay in the subclasses (their tr() keys the .ts by their class)."""
        intro.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addLayout(button_row(self.cancel, self.ok))
        self.setMinimumWidth(520)

    def _values(self) -> tuple:
        raise NotImplementedError

    def _ok(self) -> None:
        self.ok.setEnabled(False)
        self.error.hide()
        self.submit(self._values(), self._done, self._failed)

    def _done(self, value: object) -> None:
        self.result_value = value
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.error.setText(error_text(exc))
        self.error.show()


class FloatNoticeDialog(_CardDialog):
    def __init__(self, plate: str, submit: Submit, parent: QWidget | None = None):
        super().__init__(submit, parent)
        self.setWindowTitle(self.tr("Floating-rate notice — %1").replace("%1", plate))
        intro = QLabel(self.tr("Type the coefficient printed on the insurer's 交强险费率浮动告知单 the customer "
                               "shows you (for example 0.9, or -10%). The premium estimate then uses it."))
        self.coef = QLineEdit(objectName="floatCoef")
        self.coef.setPlaceholderText(self.tr("e.g. 0.9"))
        form = QFormLayout()
        form.addRow(self.tr("Coefficient"), self.coef)
        self.ok.setText(self.tr("Save"))
        self.cancel.setText(self.tr("Cancel"))
        self._arrange(intro, form)

    def _values(self) -> tuple:
        return (self.coef.text(),)


class InspectionDialog(_CardDialog):
    def __init__(self, plate: str, computed: str | None, submit: Submit, parent: QWidget | None = None):
        super().__init__(submit, parent)
        self.setWindowTitle(self.tr("Annual inspection date — %1").replace("%1", plate))
        intro = QLabel(self.tr("Type the date on the 行驶证 (检验有效期至), for example 2027-03 or 2027-03-31. "
                               "It replaces the date worked out from the rules: %1.").replace(
                                   "%1", computed or self.tr("none")))
        self.due = QLineEdit(objectName="inspectionDue")
        self.due.setPlaceholderText(self.tr("e.g. 2027-03"))
        self.reason = QLineEdit(objectName="inspectionReason")
        self.reason.setText(self.tr("As on the 行驶证"))
        form = QFormLayout()
        form.addRow(self.tr("Valid until"), self.due)
        form.addRow(self.tr("Based on"), self.reason)
        self.ok.setText(self.tr("Save"))
        self.cancel.setText(self.tr("Cancel"))
        self._arrange(intro, form)

    def _values(self) -> tuple:
        return (self.due.text(), self.reason.text())


class VehicleClassDialog(_CardDialog):
    """使用性质 and 核定载人数 off the 行驶证, for a car an import brought without them."""

    def __init__(self, plate: str, uses: dict[str, str], submit: Submit, parent: QWidget | None = None):
        super().__init__(submit, parent)
        self.setWindowTitle(self.tr("Use and seats — %1").replace("%1", plate))
        # the 行驶证 says 非营运 / 营运, the list holds the rate table's uses: say how one becomes the other
        intro = QLabel(self.tr("Choose 使用性质 as the rate table names it: the 行驶证's 非营运 is 家庭自用汽车 for a "
                               "private car, 企业非营业汽车 for a company's, 机关非营业汽车 for a government body's; "
                               "its 营运 is 营业出租租赁, 营业城市公交 or 营业公路客运. Copy 核定载人数 from the 行驶证. "
                               "The 年检 date and the premium estimate are then worked out from them."))
        self.use = QComboBox(objectName="vehicleUse")
        for code, name in uses.items():
            self.use.addItem(name, code)
        self.seats = QLineEdit(objectName="vehicleSeats")
        self.seats.setPlaceholderText(self.tr("e.g. 5"))
        form = QFormLayout()
        form.addRow(self.tr("Use (使用性质)"), self.use)
        form.addRow(self.tr("Seats (核定载人数)"), self.seats)
        self.ok.setText(self.tr("Save"))
        self.cancel.setText(self.tr("Cancel"))
        self._arrange(intro, form)

    def _values(self) -> tuple:
        return (self.use.currentData(), self.seats.text())
