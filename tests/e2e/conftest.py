from __future__ import annotations

import pytest
from tmux_kit import Tmux


@pytest.fixture
def tmux():
    session = Tmux()
    yield session
    session.close()
