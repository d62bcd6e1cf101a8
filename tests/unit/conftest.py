"""Fixtures shared by the unit tests of desktop.io and the importer."""
from __future__ import annotations

import pytest

from desktop.io import xlsx_stream


@pytest.fixture(params=["calamine", "stream"])
def reader(request, monkeypatch) -> str:
    """Run a test through both .xlsx readers: python-calamine (small files) and the streaming
    reader (large files), by moving the size threshold. Both must give the same values."""
    if request.param == "stream":
        monkeypatch.setattr(xlsx_stream, "STREAM_MIN_BYTES", 0)
    else:
        monkeypatch.setattr(xlsx_stream, "STREAM_MIN_BYTES", 1 << 62)
    return request.param
