"""Fixtures the oracle tests share."""
from __future__ import annotations

import pytest

from nginx_harness import Nginx, unavailable


@pytest.fixture(scope="module")
def ng():
    """One nginx prefix for a module's tests, which each write their config into it and run `nginx -t`."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    with Nginx({"conf/nginx.conf": ""}) as server:
        yield server
