"""Which environment settings make a Compose stack a developer's (container/debug_env.py)."""
from __future__ import annotations

import pytest

from nginxlint.container.debug_env import runs_development_server, switches_on_debugging
from nginxlint.container.model import Value


def env(**values):
    return {name: Value(text, None) for name, text in values.items()}


@pytest.mark.parametrize("values", [
    {"DEBUG": "1"}, {"DEBUG": "true"}, {"DJANGO_DEBUG": "True"}, {"APP_DEBUG": "'yes'"},
    {"RUST_LOG": "warn,lemmy_server=debug"}, {"LOG_LEVEL": "debug"}, {"LOGLEVEL": "TRACE"},
    {"RUST_BACKTRACE": "1"}, {"NODE_ENV": "development"}, {"RAILS_ENV": "dev"},
])
def test_debugging_switched_on(values):
    assert switches_on_debugging(env(**values))


@pytest.mark.parametrize("values", [
    {}, {"DEBUG": "0"}, {"DEBUG": "false"}, {"DEBUG": "${DEBUG}"}, {"LOG_LEVEL": "${LOG_LEVEL:-debug}"},
    {"LOG_LEVEL": "info"}, {"RUST_LOG": "warn"}, {"NODE_ENV": "production"}, {"DEBUGGER_PORT": "1"},
    {"ERROR_LOG": "/var/log/debug.log"}, {"RUST_BACKTRACE": "0"}, {"DEBUG_TOOLBAR": "1"},
])
def test_debugging_left_off(values):
    assert not switches_on_debugging(env(**values))


@pytest.mark.parametrize("argv", [
    ("poetry", "run", "uvicorn", "api.server:app", "--host", "0.0.0.0", "--reload"),
    ("python", "manage.py", "runserver", "0.0.0.0:8000"), ("nodemon", "server.js"), ("sh", "-c", "npm run dev"),
    ("yarn", "dev"), ("ng", "serve", "--host", "0.0.0.0"),
])
def test_development_server(argv):
    assert runs_development_server(argv)


@pytest.mark.parametrize("argv", [
    (), ("gunicorn", "app:app", "--workers", "4"), ("nginx", "-g", "daemon off;"), ("npm", "start"),
    ("sh", "-c", "nginx -s reload"), ("yarn", "build"), ("npm", "run", "devtools"),
])
def test_production_server(argv):
    assert not runs_development_server(argv)
