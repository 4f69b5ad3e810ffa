"""Synapse tests: a fake Synapse REST server on 127.0.0.1 and the real synapseclient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers.fake_synapse import FakeSynapse
from synkit import TOKEN, USER, entities


@pytest.fixture
def fake() -> Iterator[FakeSynapse]:
    with FakeSynapse(entities=entities(), tokens={TOKEN: USER}) as server:
        yield server
