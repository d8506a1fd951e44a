"""Regenerate nginxlint/nginx/directive_versions.tsv from nginx's own documentation.

    python scripts/update_directive_versions.py GIT_DIR [REVISION]

GIT_DIR is a clone of https://github.com/nginx/nginx.org (the source of nginx.org); the script reads
xml/en/docs/**/ngx_*_module.xml at REVISION (default HEAD) with `git show` and writes, for every directive, the
first release that has it: the later of the directive's "This directive appeared in version X" (<appeared-in>)
and the version its module appeared in ("The ngx_http_v3_module module (1.25.0) ..." or "is available since
version 1.9.0"), or the release that moved it from the commercial subscription into nginx. Left out: modules
and directives of the commercial subscription (NGINX Plus), and modules with releases of their own (njs, acme,
otel).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from source_repo import git, key

OUT = Path(__file__).resolve().parent.parent / "nginxlint" / "nginx" / "directive_versions.tsv"
DIRECTIVE = re.compile(r'<directive name="([^"]+)"[^>]*>(.*?)</directive>', re.S)
APPEARED = re.compile(r"<appeared-in>\s*(\d+(?:\.\d+)+)\s*</appeared-in>")
CONTEXT = re.compile(r"<context>\s*([a-z_]+)\s*</context>")
MODULE_SINCE = re.compile(r"module</literal>\s+module\s+\((\d+(?:\.\d+)+)\)|available since\s+version\s+(\d+(?:\.\d+)+)")
PLUS_ONLY = re.compile(r"This (?:directive|module) is available\s+as part of our\s+<commercial_version>")
# "Prior to version 1.29.6, this directive was available only as part of our commercial subscription": in nginx
# itself since then.
OPEN_SINCE = re.compile(r"Prior to version (\d+(?:\.\d+)+),\s+this (?:directive|module) was available\s+(?:only\s+)?as part")
# Modules released on their own, whose docs give their own version numbers (njs, nginx-acme, nginx-otel).
SEPARATE = {"ngx_http_js_module", "ngx_stream_js_module", "ngx_http_acme_module", "ngx_otel_module"}
# The listen directive's parameters: "The <literal>quic</literal> parameter (1.25.0)", or a parameter's own entry
# whose description starts "this parameter (1.9.1)".
PARAMETER = re.compile(r"The <literal>(\w+)</literal> parameter \((\d+(?:\.\d+)+)\)")
ENTRY_PARAMETER = re.compile(r"^[^>]*>\s*<literal>(\w+)</literal>.*?</tag-name>\s*<tag-desc>\s*this parameter "
                             r"\((\d+(?:\.\d+)+)\)", re.S)
HTTP_CONTEXTS = {"http", "server", "location", "upstream", "if", "limit_except"}




def main(argv: list[str]) -> int:
    git_dir, revision = argv[0], (argv[1] if len(argv) > 1 else "HEAD")
    commit = git(git_dir, "rev-parse", revision).strip()
    paths = [p for p in git(git_dir, "ls-tree", "-r", "--name-only", commit, "xml/en/docs").split()
             if re.search(r"docs/((http|stream|mail)/)?ngx_\w+_module\.xml$", p)]
    since: dict[tuple[str, str], tuple[str, str]] = {}  # (subsystem, name) -> (version, module)
    for path in paths:
        if path.rsplit("/", 1)[-1][:-4] in SEPARATE:
            continue
        text = git(git_dir, "show", f"{commit}:{path}")
        summary = text.split("<section id=\"directives\"", 1)[0]
        found = MODULE_SINCE.search(summary)
        module_since = (found.group(1) or found.group(2)) if found else None
        opened = OPEN_SINCE.search(summary)
        if opened:
            module_since = max(filter(None, (module_since, opened.group(1))), key=key)
        folder = path.split("/")[-2]
        if PLUS_ONLY.search(summary):  # NGINX Plus only: its releases are numbered otherwise
            continue
        for name, body in DIRECTIVE.findall(text):
            if PLUS_ONLY.search(body):
                continue
            contexts = set(CONTEXT.findall(body))
            if folder in ("http", "stream", "mail"):
                subsystem = folder
            else:
                subsystem = "http" if contexts & HTTP_CONTEXTS else "main"
            opened = OPEN_SINCE.search(body)
            versions = [v for v in (*APPEARED.findall(body)[:1], module_since, opened and opened.group(1)) if v]
            version = max(versions, key=key) if versions else "0"  # in every release the docs cover
            module = path.rsplit("/", 1)[-1][:-4]
            found = [(name, version)]
            if name == "listen":
                found += [(f"listen:{p}", v) for p, v in PARAMETER.findall(body)]
                found += [(f"listen:{m[1]}", m[2]) for chunk in body.split("<tag-name")[1:]
                          if (m := ENTRY_PARAMETER.match(chunk))]
            for entry, first in found:
                first = max(first, version, key=key)
                old = since.get((subsystem, entry))
                if old is None or key(first) < key(old[0]):  # two modules with one name: the earlier counts
                    since[(subsystem, entry)] = (first, module)
    lines = [
        "# The first nginx release that has each directive; a later release keeps it.",
        "# Source: nginx's documentation, https://github.com/nginx/nginx.org at " + commit + ",",
        "# xml/en/docs/**/ngx_*_module.xml: the directive's <appeared-in> (\"This directive appeared in version X\")",
        "# and its module's first release; `listen:quic` is the listen directive's parameter.",
        "# Regenerate: python scripts/update_directive_versions.py GIT_DIR",
        "# subsystem\tdirective\tversion\tmodule",
    ]
    for (subsystem, name), (version, module) in sorted(since.items()):
        if version != "0":
            lines.append(f"{subsystem}\t{name}\t{version}\t{module}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 6} directives written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
