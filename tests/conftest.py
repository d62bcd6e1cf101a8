"""Test-wide set-up: no display, no real OS keyring, no stray data dir."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the developer's real keyring; key-handling tests install their own fake.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from datetime import datetime  # noqa: E402

import pytest  # noqa: E402

AT = datetime.fromisoformat("2026-12-01T10:00:00+08:00")
PASSPHRASE = "test-passphrase"
ADMIN_PASSWORD = "admin-pass-1"


@pytest.fixture
def fake_keyring():
    from desktop.store.keyring_port import MemoryKeyring

    return MemoryKeyring()


@pytest.fixture
def app_ctx(tmp_path, fake_keyring):
    """A fresh encrypted store in tmp_path with an admin, a fake keyring and fixed passphrase."""
    from desktop.app import AppContext
    from desktop.services import auth
    from desktop.store import settings_repo

    ctx = AppContext(tmp_path / "data", keyring=fake_keyring, passphrase=lambda: PASSPHRASE)
    store = ctx.create(PASSPHRASE)
    auth.add_staff(store.engine, None, "admin", "admin", ADMIN_PASSWORD)
    auth.add_staff(store.engine, None, "clerk", "clerk", "clerk-pass-1")
    auth.add_staff(store.engine, None, "super", "supervisor", "super-pass-1")
    with store.engine.begin() as conn:
        settings_repo.put(conn, "init_admin", "admin")
    yield ctx
    ctx.close()


@pytest.fixture
def admin(app_ctx):
    return app_ctx.login("admin", ADMIN_PASSWORD)


@pytest.fixture
def demo_ctx(app_ctx, admin):
    """app_ctx filled with 300 demo vehicles at AT (every status present)."""
    from desktop.services import demo

    demo.fill_demo(app_ctx.store().engine, 300, seed=7, at=AT, staff="admin")
    return app_ctx
