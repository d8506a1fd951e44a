"""CTR119: a start script's `envsubst` without a list of names, on a config that holds nginx's own variables."""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from ..envsubst_runs import envsubst_runs
from ..findings import Location, Span
from ..sources import Unreadable
from ..lines import LineIndex
from ..nginx.envsubst import REFERENCE
from .registry import rule


@rule("CTR119", scope="workspace")
def envsubst_empties_nginx_variables(workspace, report):
    loader = workspace.loader
    configs = _configs_by_name(loader)
    for run in envsubst_runs(loader):
        if run.arguments or run.input is None:
            continue  # a list of names (or an option): only those are replaced
        template = _template(run, configs)
        if template is None:
            continue
        kept = _exported_as_themselves(loader, run.path)
        blanked = [reference for reference in _nginx_references(template.text) if _name(reference) not in kept]
        if not blanked:
            continue  # `${DOLLAR}host`, or no nginx variable at all: nothing of nginx's is lost
        names = list(dict.fromkeys(_name(reference) for reference in blanked))
        more = f" and {len(names) - 2} more" if len(names) > 2 else ""
        own = ", ".join(f"`${name}`" for name in names[:2]) + more
        first = blanked[0]
        environment = dict.fromkeys(_name(m) for m in REFERENCE.finditer(template.text) if _name(m).isupper())
        listed = " ".join(f"${{{name}}}" for name in environment)
        help = f"envsubst '{listed}'" if environment else "copy the file as it is: it names no environment variable"
        report.at(loader.display(run.path), Span(run.line, run.column, run.line, run.column + len("envsubst")),
                  f"without a list of names, envsubst replaces every `$name` in {template.display} with the "
                  f"environment's value or nothing, nginx's own variables too ({own}): nginx gets them empty; list "
                  f"the names it should fill in", help=help,
                  related=[Location(template.display, LineIndex(template.text).span(first.start(), first.end()),
                                    f"`${names[0]}` becomes empty")])


def _configs_by_name(loader) -> dict[str, list]:
    """The nginx configs the run read, by file name."""
    by_name: dict[str, list] = {}
    for source, _parsed in loader.parsed_files():
        by_name.setdefault(source.path.name, []).append(source)
    return by_name


def _template(run, configs: dict[str, list]):
    """The config the command reads: the file at its relative path from the script's directory, else the one config
    of that name, else the one whose path ends with most of the command's path."""
    name = posixpath.basename(run.input)
    if "$" in name or name not in configs:
        return None
    candidates = configs[name]
    if not run.input.startswith(("/", "$")):
        here = Path(os.path.normpath(run.path.parent / run.input))
        beside = [source for source in candidates if Path(os.path.abspath(source.path)) == here]
        if beside:
            return beside[0]
    if len(candidates) == 1:
        return candidates[0]
    parts = run.input.split("/")[::-1]

    def shared(source) -> int:  # how many of the path's last parts the config's path ends with
        return next((n for n, (a, b) in enumerate(zip(parts, source.path.parts[::-1])) if a != b), len(parts))
    ranked = sorted(candidates, key=shared, reverse=True)
    return ranked[0] if shared(ranked[0]) > shared(ranked[1]) else None


# `export host=\$host`, `export uri='$uri'`: the script gives the variable its own reference as its value, so that
# envsubst writes `$host` back as it was
_SELF_EXPORT = re.compile(r"\bexport[ \t]+([A-Za-z_]\w*)=(?:\\\$|'\$|\"\\\$)\1\b")


def _exported_as_themselves(loader, script: Path) -> frozenset[str]:
    """The names the script exports with their own reference as value: envsubst leaves those as they are."""
    try:
        text = loader.text(script)
    except Unreadable:
        return frozenset()
    return frozenset(m.group(1) for m in _SELF_EXPORT.finditer(text))


def _name(reference) -> str:
    return reference.group(1) or reference.group(2)


def _nginx_references(text: str) -> list:
    """The references envsubst would replace that are nginx's own: a name with a lower-case letter (environment
    names are upper case), outside comments. `$$name` is the escape of the Go envsubst (a8m/envsubst), which a
    template written that way is made for: GNU envsubst has none."""
    found = []
    for match in REFERENCE.finditer(text):
        if _name(match).isupper() or match.start() > 0 and text[match.start() - 1] == "$":
            continue
        if "#" in text[text.rfind("\n", 0, match.start()) + 1:match.start()]:
            continue  # a comment (or a `#` in a value: too rare to tell apart)
        found.append(match)
    return found
