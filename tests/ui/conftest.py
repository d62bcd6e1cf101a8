"""UI fixtures: the shipped font, the zh_CN translator and the normal style, a task runner, a
backend on the demo store at AT, and a logged-in main window."""
from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from tests.conftest import AT

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="session")
def ui_env(qapp):
    from desktop.ui import i18n, style

    family = style.load_font()
    translator = i18n.install(qapp)
    style.apply(qapp, False, family)
    yield family
    style.apply(qapp, False, family)
    if translator is not None:
        qapp.removeTranslator(translator)


@pytest.fixture
def runner(ui_env, qtbot):
    from desktop.ui.tasks import TaskRunner

    r = TaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def backend(demo_ctx, runner):
    from desktop.services import settings as settings_svc
    from desktop.ui.backend import Backend

    engine = demo_ctx.store().engine
    yield Backend(engine, now=lambda: AT, settings=settings_svc.load(engine))
    runner.drain()  # as desktop.ui.main: no lane still opening a connection when the store closes


def login_via(runner, backend):
    def login(name, password, on_done, on_error):
        runner.db(partial(backend.login, name, password), on_done=on_done, on_error=on_error)

    return login


@pytest.fixture
def make_window(runner, backend, demo_ctx, qtbot, ui_env):
    from desktop.ui import style
    from desktop.ui.main_window import MainWindow

    made = []

    def make(name="clerk", password="clerk-pass-1", idle_ms=None):
        box = {}
        runner.db(partial(backend.login, name, password), on_done=lambda s: box.update(s=s))
        qtbot.waitUntil(lambda: "s" in box, timeout=10000)
        win = MainWindow(runner, backend, box["s"], demo_ctx.data_dir, ui_env, idle_ms=idle_ms)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        made.append(win)
        return win

    yield make
    from PySide6.QtWidgets import QApplication

    style.apply(QApplication.instance(), False, ui_env)
    for w in made:
        w.close()


@pytest.fixture
def window(make_window):
    return make_window()


def type_keys(widget, text: str) -> None:
    """Key by key, any character (QTest's keyClicks only takes ASCII), as a keyboard/IME would."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        code = ord(ch.upper()) if ch.isascii() and ch.isprintable() else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, ch))


def type_query(qtbot, win, text: str) -> None:
    """Type key by key into the search box, then wait until that query's result is applied."""
    win.search.box.setFocus()
    win.search.box.clear()
    type_keys(win.search.box, text)
    qtbot.waitUntil(lambda: win.search.model.generation == win.search.generation
                    and win.search._inflight is None and not win.search._timer.isActive(), timeout=10000)


def open_first(qtbot, win) -> object:
    with qtbot.waitSignal(win.card_shown, timeout=10000) as blocker:
        qtbot.keyClick(win.search.box, "\r")
    return blocker.args[0]


def shot(widget, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    p = SHOTS / f"{name}.png"
    assert widget.grab().save(str(p))
    return p


@pytest.fixture
def by_status(demo_ctx):
    """{status: [LookupMatch, ...]} over the demo store at AT (read on the test thread)."""
    from desktop.services.lookup import match_from_bundle
    from desktop.store import vehicles_repo

    engine = demo_ctx.store().engine
    with engine.connect() as conn:
        bundles = vehicles_repo.load_bundles(conn, vehicles_repo.all_vehicle_ids(conn))
        conn.rollback()
    out: dict[str, list] = {}
    for b in bundles:
        m = match_from_bundle(b, AT, 90)
        out.setdefault(m.coverage.status, []).append(m)
    return out


@pytest.fixture
def raw_owner(demo_ctx):
    """vehicle_id -> the owner as stored (unmasked), read on the test thread: what a reveal returns."""
    from desktop.store import vehicles_repo

    engine = demo_ctx.store().engine

    def get(vehicle_id: str):
        with engine.connect() as conn:
            (b,) = vehicles_repo.load_bundles(conn, [vehicle_id], with_events=False)
            conn.rollback()
        return b.owner

    return get


@pytest.fixture
def super_window(make_window):
    return make_window("super", "super-pass-1")


@pytest.fixture
def admin_window(make_window):
    from tests.conftest import ADMIN_PASSWORD

    return make_window("admin", ADMIN_PASSWORD)


def count_rows(engine, table: str) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        n = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
        conn.rollback()
    return int(n)


def wait_until_true(flag, timeout: float = 10.0) -> bool:
    """On a worker thread: poll `flag()` until it is true (a test holds a batch mid-way this way)."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if flag():
            return True
        time.sleep(0.01)
    return False


def check_elder(qtbot, dlg) -> None:
    """Every visible text >= 18 pt, every visible button and box >= 60 px (style.ELDER)."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QLineEdit

    qtbot.wait(50)
    for w in dlg.findChildren(QLabel) + dlg.findChildren(QAbstractButton) + dlg.findChildren(QLineEdit):
        if w.isVisible():
            w.ensurePolished()
            assert w.font().pointSizeF() >= 18, (w.metaObject().className(), w.objectName(), w.font().pointSizeF())
    for w in dlg.findChildren(QAbstractButton) + dlg.findChildren(QComboBox) + dlg.findChildren(QAbstractSpinBox):
        if w.isVisible() and w.metaObject().className() != "QTableCornerButton":  # a table's select-all corner
            assert w.height() >= 60, (w.metaObject().className(), getattr(w, "text", lambda: "")(), w.height())


def elder(on: bool, family) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop.ui import style

    style.apply(QApplication.instance(), on, family)
