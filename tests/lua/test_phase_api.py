"""The phase/API table: only judged phases, nginx's words for each, and every API documented with its sources."""
from __future__ import annotations

from pathlib import Path

from nginxlint.lua.phase_api import CALLS, CONTEXT_NAMES, FIELDS, JUDGED, TABLES, failure

DOC = Path(__file__).resolve().parents[2] / "docs" / "openresty-phase-api.md"


def test_every_failure_is_in_a_judged_phase_with_nginx_words():
    for table in (CALLS, TABLES, FIELDS):
        for api, said in table.items():
            assert said, api
            for phase, message in said.items():
                assert phase in JUDGED, (api, phase)
                assert message in ("no request found", "no request object found", "request object not found",
                                   "no request", "API disabled in the current context",
                                   f"API disabled in the context of {CONTEXT_NAMES.get(phase)}"), (api, message)


def test_what_works_everywhere_has_no_failure():
    for phase in ("rewrite", "access", "content"):
        for api in ("ngx.sleep", "ngx.socket.tcp", "ngx.say", "ngx.var", "ngx.req.get_headers", "ngx.exit"):
            assert failure(api, phase) is None, (api, phase)
    assert failure("ngx.socket.tcp", "timer") is None
    assert failure("ngx.shared", "init") is None  # shared dicts work everywhere: not in the table


def test_every_api_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for api in (*CALLS, *TABLES, *FIELDS):
        if api.startswith("resty."):
            shown = api.rsplit(".", 1)[0]  # `new` of resty.http
        elif api.startswith("ngx.req.") and f"`{api}" not in text:
            shown = f"`{api.rsplit('.', 1)[-1]}`"  # grouped: `ngx.req.get_headers`, `get_uri_args`, ...
        else:
            shown = f"`{api}"
        assert shown in text, api
