"""schemathesis against /openapi.json: generated and mutated requests never get a 500 (DESIGN §6).

Runs against the real app on a real SQLite file, with a valid device token on every call so the
generated bodies reach the push, pull and snapshot logic instead of stopping at 401. The app is
built at import because schemathesis needs the schema to generate the test cases.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from server import devices
from server.api import ServerConfig, create_app
from server.db import make_engine, upgrade

_DIR = Path(tempfile.mkdtemp(prefix="rd-schemathesis-"))
_ENGINE = make_engine(f"sqlite:///{_DIR / 'hq.db'}")
upgrade(_ENGINE)
_DEVICE = devices.enroll(_ENGINE, devices.create_code(_ENGINE, "示例店"), "1号柜台")
_AUTH = {"Authorization": f"Bearer {_DEVICE.token}"}
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(ServerConfig(_ENGINE)))
# Valid and deliberately invalid requests (wrong types, missing fields, NUL bytes in strings).
schema.config.generation.update(modes=list(schemathesis.GenerationMode), allow_x00=True, max_examples=40)


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    _ENGINE.dispose()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case):
    response = case.call(headers=_AUTH)
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500
