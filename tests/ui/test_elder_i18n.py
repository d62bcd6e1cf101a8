"""Elder mode (大字模式) sizes and persistence, contrast, the translation check, the shipped font."""
from __future__ import annotations

import json

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from desktop.ui import i18n, style, workstation
from tests.ui.conftest import open_first, shot, type_query
from tests.ui.tr_strings import extract


def _visible(win, kind=QWidget):
    return [w for w in win.findChildren(kind) if w.isVisible()]


def test_elder_mode_sizes_and_persists(window, by_status, demo_ctx, qtbot):
    m = by_status["LAPSED"][0]
    type_query(qtbot, window, m.plate)
    open_first(qtbot, window)
    normal_word = window.card.status_word.font().pointSize()
    assert normal_word >= 36 and window.card.days.font().pointSize() >= 16   # already large on the card

    window.elder_btn.click()
    qtbot.waitUntil(lambda: workstation.load(demo_ctx.data_dir).elder_mode)
    qtbot.wait(50)
    for w in _visible(window):
        w.ensurePolished()
        if isinstance(w, (QLabel, QAbstractButton, QLineEdit)) or w.metaObject().className() in (
                "QTableView", "QHeaderView"):
            assert w.font().pointSizeF() >= 18, (w.metaObject().className(), w.objectName(), w.font().pointSizeF())
    for b in _visible(window, QAbstractButton):
        assert b.height() >= 60 and b.width() >= 60, b.text()
    for e in _visible(window, QLineEdit):
        assert e.height() >= 60
    assert window.card.status_word.font().pointSize() > normal_word
    shot(window, "elder_mode")

    raw = json.loads(workstation.path_in(demo_ctx.data_dir).read_text(encoding="utf-8"))
    assert raw["elder_mode"] is True and raw["version"] == workstation.VERSION

    window.card.record_btn.click()   # dialogs opened later are large too
    dlg = window.record_dialog
    dlg.choose("will_come")
    qtbot.waitExposed(dlg)
    for b in _visible(dlg, QAbstractButton):
        assert b.height() >= 60 and b.font().pointSizeF() >= 18, b.text()
    shot(dlg, "elder_record_dialog")
    dlg.reject()

    window.elder_btn.click()
    qtbot.waitUntil(lambda: not workstation.load(demo_ctx.data_dir).elder_mode)


def test_workstation_file_is_typed_and_forgiving(tmp_path):
    assert workstation.load(tmp_path) == workstation.Workstation()
    workstation.save(tmp_path, workstation.Workstation(elder_mode=True, printer="P1", paper="80mm"))
    assert workstation.load(tmp_path) == workstation.Workstation(True, "P1", "80mm")
    workstation.path_in(tmp_path).write_text('{"elder_mode": "yes", "paper": "b5", "printer": 3}', "utf-8")
    assert workstation.load(tmp_path) == workstation.Workstation()
    workstation.path_in(tmp_path).write_text("{broken", "utf-8")
    assert workstation.load(tmp_path) == workstation.Workstation()


def test_contrast_at_least_4_5():
    for fg, bg in style.PAIRS:
        assert style.contrast(fg, bg) >= 4.5, (fg, bg)


def test_every_tr_string_is_translated():
    found, problems = extract()
    assert not problems
    assert len(found) > 50
    done = i18n.read_ts(i18n.ts_path())
    missing = sorted(found - set(done))
    assert not missing, f"untranslated (run pyside6-lupdate, then translate): {missing}"


def test_extractor_catches_a_new_string(tmp_path):
    p = tmp_path / "w.py"
    p.write_text('class W:\n    def f(self):\n        return self.tr("A brand new string")\n', "utf-8")
    found, _ = extract([p])
    assert ("W", "A brand new string") in found
    assert ("W", "A brand new string") not in i18n.read_ts(i18n.ts_path())


def test_translator_and_font_are_active(ui_env, window):
    assert window.lock_btn.text() == "锁屏"
    assert ui_env and "WenQuanYi" in ui_env
    assert ui_env in QFontDatabase.families()


def test_python_fallback_translator(qapp):
    t = i18n.TsTranslator(i18n.ts_path())
    assert t.translate("MainWindow", "Lock screen") == "锁屏"
    assert t.translate("MainWindow", "not there") == ""
