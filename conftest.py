"""Fixtures for every test: a real nats-server (from the wheel) and real databases."""
from __future__ import annotations

import pytest

from shared.testing import Suite, make_uscc


@pytest.fixture(scope="module")
async def suite(tmp_path_factory):
    """The five services in this process, on their own nats-server and databases (one per module)."""
    s = await Suite(tmp_path_factory.mktemp("suite")).start()
    yield s
    await s.stop()


@pytest.fixture
async def fresh_suite(tmp_path):
    """A suite of its own, for tests that stop NATS or replay streams."""
    s = await Suite(tmp_path).start()
    yield s
    await s.stop()


@pytest.fixture
def uscc():
    return make_uscc()
