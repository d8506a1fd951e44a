"""`nginxlint server`: the language server (LSP over stdio, with pygls, the `server` extra).

Every open file is linted as `nginxlint FILE` lints it, with its repository (a fragment in the context of its root,
a Lua file with the configs that load it), the editor's unsaved buffers read instead of the disk. Diagnostics come on
open, change (after a pause in typing) and save; a finding's fix is a quick fix (code action); hover shows the
rule's documentation; the settings are read afresh by every lint, and the open files are linted again when a
settings file changes.
"""
from __future__ import annotations

import asyncio
import os
import re
import traceback
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from . import __version__
from .catalog import load_catalog
from .engine import run
from .findings import Span
from .settings import CONFIG_NAMES, SettingsError, config_places, load_settings
from .sources import unix_newlines
from .workspace import find_repository_root

PAUSE = 0.3  # seconds without a change before a lint: one lint per pause in typing, not one per keystroke
SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
            "info": types.DiagnosticSeverity.Information}
# What nginxlint could not do in a file (not linted, template tags masked): a note stays a hint, out of the way.
LEVEL = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
         "note": types.DiagnosticSeverity.Hint}
CODE = re.compile(r"[A-Z]{2,3}[0-9]{3}")
WATCHED = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
LOOK_EVERY = 2.0  # seconds between looks at the settings files, for an editor that does not watch files for us


class NginxlintServer(LanguageServer):
    def __init__(self):
        super().__init__("nginxlint", __version__)
        self.findings: dict[str, list] = {}  # uri -> the findings last published for the open file
        self.actions: dict[str, list[types.CodeAction]] = {}  # uri -> quick fixes of those findings
        self.waiting: dict[Path, int] = {}  # base directory -> the number of the last lint asked for it
        self.watcher: asyncio.Task | None = None
        self.settings_seen: dict[Path, int | None] = {}  # where a settings file may be -> its mtime when last read

    def files(self) -> dict[Path, object]:
        """The open documents that are files, by absolute path."""
        found = {}
        for uri, document in self.workspace.text_documents.items():
            path = to_fs_path(uri) if uri.startswith("file:") else None
            if path:
                found[Path(os.path.abspath(path))] = document
        return found

    def base_dir(self, path: Path) -> Path:
        """Where a file's run starts, as for the command line: its repository, else the workspace folder holding it."""
        root = find_repository_root(path.parent)
        if root is not None:
            return root
        folders = [to_fs_path(f.uri) for f in self.workspace.folders.values()] + [self.workspace.root_path]
        holding = [Path(os.path.abspath(f)) for f in folders if f and Path(os.path.abspath(f)) in path.parents]
        return max(holding, key=lambda p: len(p.parts)) if holding else path.parent

    async def lint_soon(self, path: Path, pause: float = PAUSE) -> None:
        """Lint the open files of `path`'s base directory once nothing else asked for it during the pause."""
        base = self.base_dir(path)
        ticket = self.waiting[base] = self.waiting.get(base, 0) + 1
        await asyncio.sleep(pause)
        if self.waiting.get(base) == ticket:
            self.lint(base)

    async def look_at_settings(self) -> None:
        """Lint again when a settings file the last lints could read appears, changes or goes."""
        while True:
            await asyncio.sleep(LOOK_EVERY)
            if any(_modified(place) != seen for place, seen in self.settings_seen.items()):
                self.settings_seen = {}  # the lints fill it again, for the files still open
                self.lint_everything()

    def lint_everything(self) -> None:
        for base in dict.fromkeys(self.base_dir(path) for path in self.files()):
            self.lint(base)

    def lint(self, base: Path) -> None:
        """One run over the open files under `base` (each with its repository), then diagnostics for each of them."""
        documents = {path: doc for path, doc in self.files().items() if self.base_dir(path) == base}
        if not documents:
            return
        paths = sorted(documents)
        overlay = {path: unix_newlines(doc.source) for path, doc in documents.items()}
        self.settings_seen.update((place, _modified(place)) for path in paths for place in config_places(path))
        try:
            report = run(paths, load_settings(None, False, paths[0]), base, texts=overlay)
        except SettingsError as error:
            self.tell(types.MessageType.Error, f"nginxlint: {error}")
            return
        except Exception as error:  # the editor keeps its server: the message says what broke, the log says where
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, traceback.format_exc()))
            self.tell(types.MessageType.Error, f"nginxlint: internal error: {type(error).__name__}: {error}")
            return
        versions = {path: doc.version for path, doc in documents.items()}
        for path, doc in documents.items():
            display = Path(os.path.relpath(path, base)).as_posix()
            findings = [f for f in report.active if f.path == display]
            notes = [n for n in report.notifications if n.path == display]
            self.findings[doc.uri] = findings
            diagnostics = [self.diagnostic(f, base, report.sources) for f in findings]
            self.actions[doc.uri] = [self.quick_fix(f, d, base, report.sources, versions)
                                     for f, d in zip(findings, diagnostics) if f.fix is not None]
            diagnostics += [
                types.Diagnostic(self.range(display, n.span or Span(1, 1, 1, 1), report.sources), n.message,
                                 severity=LEVEL[n.level], code=n.code, source="nginxlint")
                for n in notes
            ]
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=diagnostics, version=doc.version))

    def tell(self, kind: types.MessageType, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(kind, message))

    def diagnostic(self, finding, base: Path, sources: dict) -> types.Diagnostic:
        related = [
            types.DiagnosticRelatedInformation(
                types.Location(_uri(base, r.path), self.range(r.path, r.span, sources)),
                r.message or "related")
            for r in finding.related
        ]
        return types.Diagnostic(self.range(finding.path, finding.span, sources), finding.message,
                                severity=SEVERITY[finding.severity], code=finding.code, source="nginxlint",
                                related_information=related or None)

    def quick_fix(self, finding, diagnostic: types.Diagnostic, base: Path, sources: dict,
                  versions: dict) -> types.CodeAction:
        """The finding's fix as a code action; its edits name the version of each open file they were made for, so
        that the editor refuses them once the text has moved on."""
        fix = finding.fix
        edits: dict[str, list[types.TextEdit]] = {}
        for edit in fix.edits:
            edits.setdefault(edit.path, []).append(types.TextEdit(self.range(edit.path, edit.span, sources), edit.text))
        workspace_edit = self.client_capabilities.workspace and self.client_capabilities.workspace.workspace_edit
        if workspace_edit and workspace_edit.document_changes:
            change = types.WorkspaceEdit(document_changes=[
                types.TextDocumentEdit(types.OptionalVersionedTextDocumentIdentifier(
                    _uri(base, display), versions.get(Path(os.path.normpath(base / display)))), text_edits)
                for display, text_edits in edits.items()])
        else:
            change = types.WorkspaceEdit(changes={_uri(base, display): e for display, e in edits.items()})
        title = fix.title if fix.safe else f"{fix.title} (unsafe: it may change more than this finding)"
        return types.CodeAction(title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                                is_preferred=fix.safe, edit=change)

    def code_actions(self, uri: str, wanted: types.Range, only) -> list[types.CodeAction]:
        """The quick fixes of the diagnostics that touch the range asked about."""
        if only and not any(types.CodeActionKind.QuickFix.value.startswith(kind) for kind in only):
            return []
        return [action for action in self.actions.get(uri, ())
                if _touch(action.diagnostics[0].range, wanted)]

    def range(self, display: str, span: Span, sources: dict) -> types.Range:
        """nginxlint's 1-based span (columns in characters, end exclusive) as an LSP range: 0-based, in the
        units the client asked for (UTF-16 unless it chose otherwise), measured on the text that was linted."""
        source = sources.get(display)
        if source is None:  # a place in a file the run did not read: characters are all there is
            return types.Range(types.Position(span.line - 1, span.column - 1),
                               types.Position(span.end_line - 1, span.end_column - 1))
        server = ServerTextRange(ServerTextPosition(span.line - 1, span.column - 1),
                                 ServerTextPosition(span.end_line - 1, span.end_column - 1))
        return self.workspace.position_codec.range_to_client_units(source.text.split("\n"), server)

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        """The documentation of the rules whose diagnostics lie under the cursor, or of the code under it (in a
        suppression comment, say)."""
        doc = self.workspace.get_text_document(uri)
        at = doc.position_from_client_units(position)
        here = (at.line + 1, at.character + 1)
        codes = [f.code for f in self.findings.get(uri, ())
                 if (f.span.line, f.span.column) <= here <= (f.span.end_line, f.span.end_column)]
        line = doc.lines[at.line] if at.line < len(doc.lines) else ""
        codes += [m.group() for m in CODE.finditer(line) if m.start() <= at.character <= m.end()]
        catalog = load_catalog()
        pages = [f"**{info.code}** `{info.name}` ({info.severity})\n\n{info.summary}\n\n{info.doc}"
                 for info in (catalog.get(code) for code in dict.fromkeys(codes)) if info is not None]
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(pages))) if pages else None


def _uri(base: Path, display: str) -> str:
    return from_fs_path(os.path.normpath(base / display))


def _touch(a: types.Range, b: types.Range) -> bool:
    return _at(a.start) <= _at(b.end) and _at(b.start) <= _at(a.end)


def _at(position: types.Position) -> tuple[int, int]:
    return position.line, position.character


def _modified(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def build_server() -> NginxlintServer:
    server = NginxlintServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: NginxlintServer, params: types.InitializedParams) -> None:
        watched = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if watched and watched.dynamic_registration:  # settings files changed on disk, by the editor or not
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=WATCHED)
            await ls.client_register_capability_async(types.RegistrationParams([types.Registration(
                "nginxlint-settings", types.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)]))
        else:
            ls.watcher = asyncio.create_task(ls.look_at_settings())

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: NginxlintServer, params: types.DidOpenTextDocumentParams) -> None:
        await _lint_document(ls, params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: NginxlintServer, params: types.DidChangeTextDocumentParams) -> None:
        await _lint_document(ls, params.text_document.uri, PAUSE)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: NginxlintServer, params: types.DidSaveTextDocumentParams) -> None:
        await _lint_document(ls, params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: NginxlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.findings.pop(uri, None)
        ls.actions.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path:  # the file's unsaved text is gone: the other open files see the disk again
            await ls.lint_soon(Path(os.path.abspath(path)), 0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: NginxlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.lint_everything()  # each lint reads the settings again

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: NginxlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params.text_document.uri, params.range, params.context.only)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: NginxlintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params.text_document.uri, params.position)

    return server


async def _lint_document(ls: NginxlintServer, uri: str, pause: float) -> None:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    if path:
        await ls.lint_soon(Path(os.path.abspath(path)), pause)


def serve() -> int:
    build_server().start_io()
    return 0
