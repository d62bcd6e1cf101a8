"""Small widget helpers the dialogs share."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea, QWidget

from .errors import message_for
from .tasks import TaskHandle, TaskRunner


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    """Buttons right-aligned in order (cancel first, the default action last, as on Windows)."""
    row = QHBoxLayout()
    row.addStretch(1)
    for b in buttons:
        row.addWidget(b)
    return row


def error_line() -> QLabel:
    """A hidden, wrapping Chinese error line (styled by the errorLine object name)."""
    label = QLabel(objectName="errorLine")
    label.setWordWrap(True)
    label.hide()
    return label


W = TypeVar("W", bound=QWidget)


def keep_place(widget: W) -> W:
    """The widget keeps its room in the layout while hidden: a message appearing never pushes the
    boxes and buttons below it away from under the pointer."""
    sp = widget.sizePolicy()
    sp.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(sp)
    return widget


def field_error() -> QLabel:
    """A hidden, wrapping error line under one field (styled by the fieldError object name), in place."""
    label = keep_place(QLabel(objectName="fieldError"))
    label.setWordWrap(True)
    label.hide()
    return label


def scrolling(body: QWidget) -> QScrollArea:
    """A form that scrolls inside its dialog (1024×768 in 大字模式) while the buttons stay in view."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(body)
    return area


def error_text(exc: object) -> str:
    """The Chinese sentence for a failure: desktop/ui/errors.py decides it, in one place."""
    return message_for(exc)  # type: ignore[arg-type]


class BatchProgress(QWidget):
    """A progress bar, a line of text and a 取消 button for ONE cancellable task on the database lane.

    Cancelling really stops the task: the runner's cancel flag is what the service polls, and the
    database lane is one thread, so a no-op queued behind the task runs only once the task has
    stopped (and its transaction rolled back, its temporary file removed). Only then does
    ``cancelled`` fire. A task that finished just before the click still delivers its result.
    """

    cancelled = Signal()

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.handle: TaskHandle | None = None
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.text = QLabel()
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(self.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.text)
        row.addWidget(self.cancel_btn)
        self.hide()

    @property
    def running(self) -> bool:
        return self.handle is not None

    def start(self, fn: Callable, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
        box: dict[str, Any] = {}

        def task(progress, cancel):
            box["result"] = fn(progress, cancel)
            return box["result"]

        def done(result: Any) -> None:
            self._stop()
            on_done(result)

        def failed(exc: BaseException) -> None:
            self._stop()
            on_error(exc)

        self._box, self._on_done = box, on_done
        self.bar.setRange(0, 0)
        self.text.setText("")
        self.cancel_btn.setEnabled(True)
        self.show()
        self.handle = self.runner.db(task, on_done=done, on_error=failed, on_progress=self._progress)

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
            self.bar.setFormat("%v / %m")
            self.text.setText("")
        else:  # the total is unknown (an import streams its file): say how far it got
            self.text.setText(self.tr("%1 done").replace("%1", str(done)))

    def cancel(self) -> None:
        if self.handle is None:
            return
        self.cancel_btn.setEnabled(False)
        self.text.setText(self.tr("Stopping…"))
        self.runner.cancel(self.handle)
        self.runner.db(lambda p, c: None, on_done=lambda _r: self._after_cancel())

    def _after_cancel(self) -> None:
        if self.handle is None:  # already delivered
            return
        self._stop()
        if "result" in self._box:  # it finished before it saw the flag: that result stands
            self._on_done(self._box["result"])
        else:
            self.cancelled.emit()

    def _stop(self) -> None:
        self.handle = None
        self.hide()
