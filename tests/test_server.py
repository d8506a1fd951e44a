"""`nginxlint server` driven by a real LSP client over stdio (pytest-lsp): diagnostics with exact ranges for a
fragment and a Lua file in their root's context, unsaved buffers, quick fixes applied, hover, settings reloaded."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")
import pytest_asyncio  # noqa: E402  (after the skip: it comes with pytest-lsp)
from lsprotocol import types  # noqa: E402

from lintkit import write_tree  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS

# The emoji is two UTF-16 code units: the client's columns are one more than nginxlint's characters after it.
FRAGMENT = """\
server {
    listen 8080;
    location /\N{GRINNING FACE} { lua_code_cache off; content_by_lua_file lua/handler.lua; }
}
"""
PROJECT = {
    "conf/nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
    "conf/conf.d/api.conf": FRAGMENT,
    "lua/handler.lua": 'local stats = ngx.shared.stats\nstats:incr("hits", 1)\nngx.say("ok")\n',
}
# LUA210 on `off`: line 3, characters 34-37 (1-based, end exclusive) for nginxlint; 0-based for the client, in
# UTF-16 units, the emoji before it counting two: 34-37 again, where characters alone would give 33-36.
LUA210_RANGE = types.Range(types.Position(2, 34), types.Position(2, 37))
# LUA202 on `stats` of `ngx.shared.stats`, line 1, columns 26-31 (1-based, end exclusive).
LUA202_RANGE = types.Range(types.Position(0, 25), types.Position(0, 30))


def _client_capabilities(dynamic_watch: bool) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=dynamic_watch),
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)),
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown])),
    )


@pytest_asyncio.fixture
async def session(tmp_path, request):
    """A project on disk, a server process, an initialised client; the client's `registrations` are recorded."""
    dynamic_watch = getattr(request, "param", True)
    project = tmp_path / "project"
    write_tree(project, PROJECT)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NGINXLINT_CACHE_DIR": str(tmp_path / "cache")}
    client = pytest_lsp.make_test_lsp_client()
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    await client.start_io(sys.executable, "-m", "nginxlint", "server", env=env)
    await client.initialize_session(types.InitializeParams(
        capabilities=_client_capabilities(dynamic_watch), root_uri=project.as_uri(),
        workspace_folders=[types.WorkspaceFolder(project.as_uri(), "project")]))
    if dynamic_watch:  # asked for right after `initialized`
        await _until(lambda: client.registrations, 30)
    yield client, project
    await client.shutdown_session()
    await client.stop()


async def _until(condition, timeout: float) -> None:
    async def poll():
        while not condition():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout)


async def _published(client, uris: list[str], action, timeout: float = 60) -> dict:
    """Do `action`, then wait until the server has published diagnostics for every uri again."""
    for uri in uris:
        client.diagnostics.pop(uri, None)
    action()
    await _until(lambda: all(uri in client.diagnostics for uri in uris), timeout)
    return {uri: list(client.diagnostics[uri]) for uri in uris}


def _open(client, path: Path, language: str = "nginx", text: str | None = None):
    text = path.read_text(encoding="utf-8") if text is None else text
    return lambda: client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(path.as_uri(), language, 1, text)))


def _apply(text: str, edits) -> str:
    """LSP text edits (0-based lines, UTF-16 columns) applied as an editor applies them, the last one first."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def offset(position: types.Position) -> int:
        if position.line >= len(starts):
            return len(text)
        line = text[starts[position.line]:].split("\n", 1)[0]
        units = line.encode("utf-16-le")[: 2 * position.character].decode("utf-16-le")
        return starts[position.line] + len(units)

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


async def _quick_fix(client, uri: str, diagnostic: types.Diagnostic) -> types.CodeAction:
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext([diagnostic])))
    (action,) = actions
    assert action.kind == types.CodeActionKind.QuickFix and list(action.diagnostics) == [diagnostic]
    return action


def _replace_all(client, path: Path, version: int, text: str):
    """A full-text change of the buffer (the disk is left as it is)."""
    return lambda: client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version, path.as_uri()),
        [types.TextDocumentContentChangeWholeDocument(text)]))


@pytest.mark.asyncio
async def test_a_fragment_and_a_lua_file_get_their_roots_diagnostics_with_exact_ranges(session):
    client, project = session
    fragment, lua = project / "conf/conf.d/api.conf", project / "lua/handler.lua"
    found = await _published(client, [fragment.as_uri()], _open(client, fragment))
    (diagnostic,) = found[fragment.as_uri()]
    assert (diagnostic.code, diagnostic.source) == ("LUA210", "nginxlint")
    assert diagnostic.range == LUA210_RANGE
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.message.startswith("lua_code_cache off reloads every Lua file")
    # linted in its root's context: the root that includes it is a related place
    (included,) = diagnostic.related_information
    assert included.location.uri == (project / "conf/nginx.conf").as_uri()
    assert included.location.range.start == types.Position(2, 4)
    assert included.message == "included from conf/nginx.conf:3"

    # the Lua file: only the configs that load it say the shared dict is missing
    found = await _published(client, [fragment.as_uri(), lua.as_uri()], _open(client, lua, "lua"))
    (diagnostic,) = found[lua.as_uri()]
    assert (diagnostic.code, diagnostic.range) == ("LUA202", LUA202_RANGE)
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert [d.code for d in found[fragment.as_uri()]] == ["LUA210"]


@pytest.mark.asyncio
async def test_unsaved_buffers_are_linted_instead_of_the_disk(session):
    client, project = session
    fragment, lua = project / "conf/conf.d/api.conf", project / "lua/handler.lua"
    uris = [fragment.as_uri(), lua.as_uri()]
    await _published(client, [fragment.as_uri()], _open(client, fragment))
    await _published(client, uris, _open(client, lua, "lua"))

    # the dict declared in the fragment's unsaved buffer: the Lua file's diagnostic goes, the disk is untouched
    declared = "lua_shared_dict stats 1m;\n" + FRAGMENT
    found = await _published(client, uris, _replace_all(client, fragment, 2, declared))
    assert found[lua.as_uri()] == []
    assert [(d.code, d.range) for d in found[fragment.as_uri()]] == [
        ("LUA210", types.Range(types.Position(3, 34), types.Position(3, 37)))]
    assert fragment.read_text(encoding="utf-8") == FRAGMENT

    # the Lua buffer now names another dict: reported on its new place
    found = await _published(client, uris, _replace_all(
        client, lua, 2, 'local n = 1\nlocal cache = ngx.shared.cache\ncache:set("k", n)\n'))
    (diagnostic,) = found[lua.as_uri()]
    assert (diagnostic.code, diagnostic.range) == ("LUA202", types.Range(types.Position(1, 25), types.Position(1, 30)))

    # closing the fragment unsaved: the disk's version counts again, and the closed file's diagnostics are cleared
    found = await _published(client, uris, lambda: client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(fragment.as_uri()))))
    assert found[fragment.as_uri()] == []
    assert [d.code for d in found[lua.as_uri()]] == ["LUA202"]


@pytest.mark.asyncio
async def test_a_quick_fix_applied_makes_its_diagnostic_disappear(session):
    client, project = session
    fragment, lua, root = project / "conf/conf.d/api.conf", project / "lua/handler.lua", project / "conf/nginx.conf"
    uris = [fragment.as_uri(), lua.as_uri()]
    await _published(client, [fragment.as_uri()], _open(client, fragment))
    found = await _published(client, uris, _open(client, lua, "lua"))

    # in the file itself: `off` becomes `on`, behind the emoji (UTF-16 columns)
    (diagnostic,) = found[fragment.as_uri()]
    action = await _quick_fix(client, fragment.as_uri(), diagnostic)
    assert (action.title, action.is_preferred) == ("Set `lua_code_cache on;`", True)
    (change,) = action.edit.document_changes
    assert change.text_document == types.OptionalVersionedTextDocumentIdentifier(fragment.as_uri(), 1)
    assert [(e.range, e.new_text) for e in change.edits] == [(LUA210_RANGE, "on")]
    fixed = _apply(FRAGMENT, change.edits)
    assert fixed == FRAGMENT.replace("lua_code_cache off;", "lua_code_cache on;")
    found = await _published(client, uris, _replace_all(client, fragment, 2, fixed))
    assert found[fragment.as_uri()] == []

    # the Lua file's fix declares the dict in the root config, a file not open (the editor opens it, edited)
    (diagnostic,) = found[lua.as_uri()]
    action = await _quick_fix(client, lua.as_uri(), diagnostic)
    assert action.title == "Declare `lua_shared_dict stats 10m;` in the http block"
    (change,) = action.edit.document_changes
    assert change.text_document == types.OptionalVersionedTextDocumentIdentifier(root.as_uri(), None)
    assert [(e.range, e.new_text) for e in change.edits] == [
        (types.Range(types.Position(1, 6), types.Position(1, 6)), "\n    lua_shared_dict stats 10m;")]
    edited = _apply(root.read_text(encoding="utf-8"), change.edits)
    assert edited.startswith("events {}\nhttp {\n    lua_shared_dict stats 10m;\n    include conf.d/*.conf;\n")
    found = await _published(client, [*uris, root.as_uri()], _open(client, root, text=edited))
    assert found[lua.as_uri()] == [] and found[fragment.as_uri()] == []
    # no diagnostic there, no quick fix
    assert list(await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(lua.as_uri()), types.Range(types.Position(0, 0), types.Position(2, 0)),
        types.CodeActionContext([])))) == []


@pytest.mark.asyncio
async def test_hover_on_a_diagnostic_or_a_code_shows_the_rule_documentation(session):
    client, project = session
    fragment = project / "conf/conf.d/api.conf"
    await _published(client, [fragment.as_uri()], _open(client, fragment))
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(fragment.as_uri()), types.Position(2, 35)))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("**LUA210** `lua-code-cache-off` (warning)")
    assert "## What it does" in hover.contents.value
    # nothing there: no hover
    assert await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(fragment.as_uri()), types.Position(1, 5))) is None
    # a code written in a suppression comment that silences nothing: the diagnostic's rule, then the code's
    text = "# nginxlint: ignore[CTR105] logs to files until the sidecar lands\n" + FRAGMENT
    found = await _published(client, [fragment.as_uri()], _replace_all(client, fragment, 2, text))
    assert [(d.code, d.range.start.line) for d in found[fragment.as_uri()]] == [("NL902", 0), ("LUA210", 3)]
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(fragment.as_uri()), types.Position(0, 22)))
    pages = hover.contents.value.split("\n\n---\n\n")
    assert [page.split(" ", 1)[0] for page in pages] == ["**NL902**", "**CTR105**"]


@pytest.mark.asyncio
@pytest.mark.parametrize("session", [True, False], ids=["watched-by-the-editor", "looked-at-by-the-server"],
                         indirect=True)
async def test_the_settings_are_read_again_when_they_change(session):
    client, project = session
    fragment = project / "conf/conf.d/api.conf"
    dynamic_watch = bool(client.registrations)
    if dynamic_watch:
        (registration,) = client.registrations
        assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        assert "**/.nginxlint.yaml" in [w["globPattern"] for w in registration.register_options["watchers"]]
    found = await _published(client, [fragment.as_uri()], _open(client, fragment))
    assert [d.code for d in found[fragment.as_uri()]] == ["LUA210"]

    def change_settings(text: str):
        def action():
            (project / ".nginxlint.yaml").write_text(text, encoding="utf-8")
            if dynamic_watch:
                client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(
                    (project / ".nginxlint.yaml").as_uri(), types.FileChangeType.Created)]))
        return action

    found = await _published(client, [fragment.as_uri()], change_settings("ignore: [LUA210]\n"))
    assert found[fragment.as_uri()] == []
    # a broken settings file is said in a message, with its place
    client.messages.clear()
    change_settings("severity: {LUA210: fatal}\n")()
    await _until(lambda: client.messages, 30)
    (message,) = client.messages
    assert message.type == types.MessageType.Error
    assert 'severity of LUA210 must be one of info, warning, error, not "fatal"' in message.message


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_plain_lint_imports_no_language_server():
    result = _python("import sys\nfrom nginxlint.cli import main\nstatus = main(['samples/reverse-proxy', '--exit-zero'])\n"
                     "print(status, sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'asyncio')))")
    assert result.stdout.splitlines()[-1] == "0 []", result.stderr


def test_without_pygls_the_server_command_says_what_to_install():
    result = _python("import sys\nsys.modules['pygls'] = None\nfrom nginxlint.cli import main\nsys.exit(main(['server']))")
    assert result.returncode == 2
    assert "`nginxlint server` needs pygls" in result.stderr and "pip install 'nginxlint[server]'" in result.stderr
