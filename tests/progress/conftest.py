from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient


@pytest.fixture
def app_client_pair(app: Litestar) -> Iterator[tuple[TestClient[Litestar], TestClient[Litestar]]]:
    """Two people on two devices, signed in to the same app."""
    with (
        TestClient(app=app, base_url="http://127.0.0.1") as one,
        TestClient(app=app, base_url="http://127.0.0.1") as two,
    ):
        yield one, two
