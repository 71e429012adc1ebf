"""What the letter tests share: the runtime of the module's own `app`, and its people."""

import pytest

from ..journey import make_people


@pytest.fixture
def rt(app):
    return app.extensions["jiati"]


@pytest.fixture
def people(rt):
    return make_people(rt)
