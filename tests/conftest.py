"""Fixtures only; the shared helpers (and the headless SDL set-up) are in support.py."""
import sys

import pytest

from support import ROOT

sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def mnist_test():
    from exhibit.learn.mnist import load_split
    return load_split(ROOT / "assets" / "mnist", "test")


@pytest.fixture
def display():
    """pygame's display and fonts, headless (the dummy video driver); initialised again for
    each test, since a test that runs the exhibit in-process quits the display at its end."""
    import pygame
    pygame.display.init()
    pygame.font.init()
    yield


@pytest.fixture(scope="session")
def models():
    """All three shipped networks, loaded once."""
    from exhibit.model.store import MODEL_NAMES, load_model
    return {n: load_model(n) for n in MODEL_NAMES}


@pytest.fixture(scope="session")
def explainer():
    from exhibit.model.store import load_model
    return load_model("explainer")
