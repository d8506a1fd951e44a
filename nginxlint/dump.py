"""`nginx -T` dumps as input: split into the files nginx loaded, linted as one tree, reported at the dump's lines.

`nginx -T` prints (nginx.c) for every file it read, in the order it read them, `# configuration file PATH:`, a line
feed, the file's bytes, and a line feed; the first file is the one nginx was started with. A dump is often all a
team has of a running pod (`kubectl exec … -- nginx -T > dump.txt`), so every place a finding names must be in it:

1. `split_dump` cuts the text at those lines into `DumpFile`s, each with its original absolute path and the dump
   line of its first line.
2. `build_tree` places the files in memory under a virtual root (nothing is written to disk; the loader reads them
   from `Loader.texts`) and builds the first one's tree through `DumpView`, which shows includes only the dump's
   files: the dump is every config file the server read. The Lua files a server runs are never in a dump: the tree
   says so (`image_root`), and the Lua stage treats what it cannot see as unseen, not missing.
3. After the rules, `relocate` moves every finding from a virtual file to the dump's line, and adds the original
   place as a related location ("/etc/nginx/conf.d/api.conf:12 in the running server").
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config_tree import ConfigTree
from .findings import Finding, Location, Notification, Span, Suppression

HEADER = re.compile(r"# configuration file (/.*):$")  # nginx makes every config path absolute before it prints it
TEST_OUTPUT = "nginx: "  # `nginx -T 2>&1`: "nginx: the configuration file … syntax is ok" comes first
# `nginx -V 2>&1; nginx -T`: the version, the compiler, the TLS library and the configure arguments come first
VERSION_OUTPUT = ("nginx version: ", "built by ", "built with ", "run with ", "TLS SNI support", "configure arguments:")
VIEW_ROOT = Path("/.nginxlint-dump")  # never created on disk
LOOK_AHEAD = 20  # lines searched for the first header when the dump is not forced


@dataclass
class DumpFile:
    original: str  # the absolute path on the server
    text: str
    first_line: int  # the dump line that holds the file's line 1
    path: Path | None = None  # where it sits in memory
    display: str = ""  # the loader's display path of `path`


@dataclass
class Dump:
    source: object  # the dump's SourceFile
    files: list[DumpFile]
    root: Path  # the virtual root the files are placed under
    root_display: str  # the loader's display path of `root`
    by_display: dict[str, DumpFile] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.source.display


def is_dump(text: str) -> bool:
    """The text starts as `nginx -T` output does: its test messages, then `# configuration file /…:`."""
    for line in text.split("\n", LOOK_AHEAD)[:LOOK_AHEAD]:
        if not line.strip() or line.startswith(TEST_OUTPUT) or line.startswith(VERSION_OUTPUT):
            continue
        return HEADER.match(line) is not None
    return False


def split_dump(text: str) -> list[DumpFile]:
    """The files of a dump, in the order nginx read them; a path printed twice keeps its first copy. Lines before
    the first header (nginx's test messages, a shell prompt) belong to no file."""
    lines = text.split("\n")
    headers = [(number, match.group(1)) for number, line in enumerate(lines) if (match := HEADER.match(line))]
    files: list[DumpFile] = []
    seen: set[str] = set()
    for index, (number, original) in enumerate(headers):
        end = headers[index + 1][0] if index + 1 < len(headers) else len(lines)
        body = "\n".join(lines[number + 1:end])
        if index + 1 == len(headers) and body.endswith("\n"):
            body = body[:-1]  # the line feed nginx writes after each file; between files the split takes it
        if original not in seen:
            seen.add(original)
            files.append(DumpFile(original, body, number + 2))
    return files


class DumpView:
    """The run's loader, except that the file system includes see is the dump: its files at their original paths
    under `root`, and nothing else (an absolute include is looked for in the dump, never on this machine)."""

    def __init__(self, loader, root: Path, paths: list[Path]):
        self._loader = loader
        self._root = root
        self._files = set(paths)
        self._dirs = {parent for path in paths for parent in path.parents}

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def exists(self, path) -> bool:
        path = Path(os.path.abspath(path))
        return path in self._files or path in self._dirs

    def is_dir(self, path) -> bool:
        return Path(os.path.abspath(path)) in self._dirs

    def glob(self, pattern: str) -> list[str]:
        parts = Path(os.path.abspath(pattern)).parts
        return sorted(str(path) for path in [*self._files, *self._dirs]
                      if len(path.parts) == len(parts) and all(map(fnmatch.fnmatchcase, path.parts, parts)))

    def map_path(self, absolute: str, conf_dir: Path) -> Path:
        return self._root / absolute.lstrip("/")


def build_tree(loader, settings, source, files: list[DumpFile]) -> tuple[Dump, ConfigTree]:
    """The tree nginx loaded, from the dump's files placed in memory; the first file is the root."""
    count = loader.memo("dumps")
    root = VIEW_ROOT / str(len(count))
    dump = Dump(source, files, root, loader.display(root))
    count[len(count)] = dump
    for file in files:
        file.path = Path(os.path.abspath(root / file.original.lstrip("/")))
        loader.texts[file.path] = file.text
        file.display = loader.display(file.path)
        dump.by_display[file.display] = file
    view = DumpView(loader, root, [file.path for file in files])
    main = loader.source(files[0].path)
    conf_dir = main.path.parent
    prefix = Path(settings.prefix) if settings.prefix else (conf_dir.parent if conf_dir.name == "conf" else conf_dir)
    tree = ConfigTree(main, (), prefix, view, settings, True)
    tree.image_root = files[0].original
    tree.version_output = source.text[:max(source.text.find("# configuration file /"), 0)] or None
    return dump, tree


def not_a_dump(source) -> Notification:
    return Notification("error", "--dump: no `# configuration file PATH:` line, so this is no `nginx -T` output; "
                        "produce it with `nginx -T > dump.txt` (on a pod: `kubectl exec POD -- nginx -T`)",
                        source.display)


# -- after the rules: every place moves to the dump ----------------------------------------------------------------


class _Places:
    """Virtual display path -> (dump, file), and the rewriting of virtual paths inside messages."""

    def __init__(self, dumps: list[Dump]):
        self.files = {display: (dump, file) for dump in dumps for display, file in dump.by_display.items()}
        # a message may name a virtual path as displayed or as it is (an include that matched nothing, a chain):
        # either becomes the path on the server; displayed first, as it holds the other
        self._roots = [(f"{dump.root_display}/", "/") for dump in dumps] + [(f"{dump.root}/", "/") for dump in dumps]

    def text(self, message: str) -> str:
        if VIEW_ROOT.name not in message:
            return message
        for virtual, server in self._roots:
            message = message.replace(virtual, server)
        return message

    def span(self, file: DumpFile, span: Span) -> Span:
        shift = file.first_line - 1
        return Span(span.line + shift, span.column, span.end_line + shift, span.end_column)

    def location(self, location: Location) -> Location:
        hit = self.files.get(location.path)
        message = self.text(location.message)
        if hit is None:
            return replace(location, message=message) if message != location.message else location
        dump, file = hit
        return replace(location, path=dump.display, span=self.span(file, location.span), message=message)


def relocate(findings: list[Finding], notifications: list[Notification], sources: dict, dumps: list[Dump]):
    """Findings, notifications and sources with every virtual file replaced by its dump: the finding on the dump's
    line, the original path and line as its first related location."""
    places = _Places(dumps)
    moved = []
    for finding in findings:
        hit = places.files.get(finding.path)
        related = tuple(places.location(r) for r in finding.related)
        flow = tuple(places.location(f) for f in finding.flow)
        message = places.text(finding.message)
        if hit is None:
            moved.append(replace(finding, related=related, flow=flow, message=message))
            continue
        dump, file = hit
        span = finding.span
        original = Location(file.original, span, f"{file.original}:{span.line} in the running server")
        suppression = finding.suppression
        if suppression is not None and suppression.path in places.files:
            suppression = Suppression(dump.display, suppression.line + file.first_line - 1, suppression.reason)
        moved.append(replace(finding, path=dump.display, span=places.span(file, span), related=(original, *related),
                             flow=flow, message=message, suppression=suppression))
    told = []
    for note in notifications:
        hit = places.files.get(note.path) if note.path else None
        if hit is None:
            told.append(replace(note, message=places.text(note.message)))
            continue
        dump, file = hit
        span = places.span(file, note.span) if note.span else None
        told.append(replace(note, path=dump.display, span=span, message=places.text(note.message)))
    kept = {display: source for display, source in sources.items() if display not in places.files}
    for dump in dumps:
        kept[dump.display] = dump.source
    return moved, told, kept
