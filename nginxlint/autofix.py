"""`--fix` and `--diff`: lint, apply the fixes that do not overlap, lint the result again, for a few rounds.

Each round lints the edited files from memory (`engine.run(texts=...)`), so the next round's fixes have spans that
fit the edited text, and `--diff` changes nothing on disk. Files are written once, at the end, byte for byte outside
the edits.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .engine import run
from .findings import Report
from .fixes import MAX_ROUNDS, apply_fixes, read_text, write_text
from .sources import decode


@dataclass
class Fixed:
    report: Report  # the findings left after the last round
    originals: dict[Path, str] = field(default_factory=dict)  # absolute path -> text before any fix
    changed: dict[Path, str] = field(default_factory=dict)  # absolute path -> text after every round
    applied: int = 0  # findings fixed
    unsafe_left: int = 0  # findings left with a fix that only --unsafe-fixes applies


def fix_rounds(paths: list[Path], settings, base_dir: Path, unsafe: bool, stdin=None) -> Fixed:
    texts: dict[Path, str] = {}  # what the next lint reads instead of the disk: the edited files, normalised
    done = Fixed(report=None)  # type: ignore[arg-type]
    stdin_path = Path(os.path.abspath(stdin[0])) if stdin else None
    for _ in range(MAX_ROUNDS):
        report = run(paths, settings, base_dir, stdin, texts)
        done.report = report
        fixes = [f.fix for f in report.active if f.fix is not None and (unsafe or f.fix.safe)]
        if not fixes:
            break
        contents: dict[str, str] = {}
        where: dict[str, Path] = {}
        for fix in fixes:
            for edit in fix.edits:
                if edit.path in contents:
                    continue
                path = Path(os.path.abspath(Path(report.base_dir) / edit.path))
                if path in done.changed:
                    contents[edit.path] = done.changed[path]
                elif path == stdin_path:
                    contents[edit.path] = stdin[1]
                else:
                    try:
                        contents[edit.path] = read_text(path)
                    except OSError:
                        continue  # a fix that needs this file is skipped by apply_fixes
                where[edit.path] = path
        round_ = apply_fixes(contents, fixes)
        if not round_.contents:
            break
        done.applied += len(round_.applied)
        for display, text in round_.contents.items():
            path = where[display]
            done.originals.setdefault(path, contents[display])
            done.changed[path] = text
            if path == stdin_path:
                stdin = (stdin[0], decode(text.encode("utf-8", "surrogateescape")))
            else:
                texts[path] = decode(text.encode("utf-8", "surrogateescape"))
    else:
        done.report = run(paths, settings, base_dir, stdin, texts)
    done.changed = {path: text for path, text in done.changed.items() if text != done.originals[path]}
    done.unsafe_left = sum(1 for f in done.report.active if f.fix is not None and not f.fix.safe)
    return done


def write(done: Fixed, skip: Path | None = None) -> None:
    for path, text in done.changed.items():
        if path != skip:
            write_text(path, text)


def unified_diff(done: Fixed, base_dir: Path) -> str:
    import difflib  # only --diff prints one

    pieces = []
    for path in sorted(done.changed):
        name = Path(os.path.relpath(path, base_dir)).as_posix()
        before = done.originals[path].splitlines(keepends=True)
        after = done.changed[path].splitlines(keepends=True)
        for line in difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"):
            pieces.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(pieces)
