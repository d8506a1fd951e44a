"""Environment settings and commands that switch an application's debugging on: a Compose stack whose services run
so is a developer's stack, whatever its file is called.

Lemmy's docker/docker-compose.yml builds the server from the checkout and runs it with
`RUST_LOG=…,lemmy_server=debug`; its federation stack adds `RUST_BACKTRACE=1`. Production setups of the same
projects run release images at the default level (LibrePhotos' docker-compose.yml says `DEBUG=0`, its
docker-compose.dev.yml `DEBUG=1`). Only values that turn debugging on count: a variable that merely exists, or a
level read from the environment of whoever runs Compose (`${LOG_LEVEL}`), says nothing.
"""
from __future__ import annotations

import re

_TRUE = frozenset({"1", "true", "yes", "on"})
# DEBUG, APP_DEBUG, FLASK_DEBUG, DJANGO_DEBUG, …: a switch.
_DEBUG_SWITCH = re.compile(r"(?:^|_)DEBUG$")
# Switches of an image's own start script, not of the application: Bitnami's BITNAMI_DEBUG makes its entrypoint
# print what it does (an Elasticsearch beside a production stack often has it on).
_IMAGE_VERBOSITY = frozenset({"BITNAMI_DEBUG"})
# RUST_LOG, LOG_LEVEL, LOGLEVEL, APP_LOG_LEVEL, LOGGING_LEVEL: a level, or a list of them (`warn,app=debug`).
_LOG_LEVEL = re.compile(r"(?:^|_)(?:LOG|LOGGING)(?:_?LEVEL)?$")
_VERBOSE_LEVEL = re.compile(r"(?:^|[,=\s])(?:debug|trace)(?:$|[,\s])")
# The frameworks' own names for the environment they run in.
_RUN_MODE = frozenset({"NODE_ENV", "RAILS_ENV", "RACK_ENV", "APP_ENV", "FLASK_ENV", "MIX_ENV",
                       "ASPNETCORE_ENVIRONMENT", "DJANGO_ENV"})
_DEVELOPMENT_MODES = frozenset({"development", "dev"})


def switches_on_debugging(env_values) -> bool:
    """Whether a container's environment (name -> Value) turns its application's debugging on."""
    for name, value in env_values.items():
        text = str(value.value).strip().strip("'\"").lower()
        if not text or "$" in text:
            continue
        key = name.upper()
        if key in _IMAGE_VERBOSITY:
            continue
        if (_DEBUG_SWITCH.search(key) and text in _TRUE) or (key == "RUST_BACKTRACE" and text in ("1", "full")) \
                or (_LOG_LEVEL.search(key) and _VERBOSE_LEVEL.search(text)) \
                or (key in _RUN_MODE and text in _DEVELOPMENT_MODES):
            return True
    return False


# A development server that restarts the application as its files change: uvicorn's or gunicorn's `--reload`,
# Django's `runserver`, nodemon, a package script named `dev` (`npm run dev`, `yarn dev`), the Angular CLI's
# `ng serve`, webpack's dev server. A production service runs the application as built.
_DEVELOPMENT_SERVER = re.compile(
    r"(?:^|\s)(?:--reload|runserver|nodemon|ng serve|webpack-dev-server|webpack serve|(?:npm|pnpm) run dev"
    r"|(?:yarn|pnpm) dev)(?:\s|$)")


def runs_development_server(argv) -> bool:
    """Whether a container's command (its words) runs the application under a reloading development server."""
    return bool(argv) and bool(_DEVELOPMENT_SERVER.search(" ".join(argv)))
