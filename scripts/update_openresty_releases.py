"""Regenerate nginxlint/openresty/releases.tsv: what each OpenResty release bundles.

    python scripts/update_openresty_releases.py GIT_DIR [REVISION]

GIT_DIR is a clone of https://github.com/openresty/openresty.org (the source of openresty.org); the script reads
the English change logs (v2/en/changelog-*.md, one per nginx core, a `# Version 1.21.4.1 - …` section per
release) oldest first. A release bundles the nginx core its first three numbers name, and the lua-nginx-module,
lua-resty-core and LuaJIT its section says it upgraded to ("upgraded [ngx_lua](…) to 0.10.21"), else the ones of
the release before it.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from source_repo import git, key

OUT = Path(__file__).resolve().parent.parent / "nginxlint" / "openresty" / "releases.tsv"
SECTION = re.compile(r"^# Version (\d+\.\d+\.\d+\.\d+)\b", re.M)
_TO = r"\]?(?:\([^)]*\))?\s*(?:to\s+)?v?"
COMPONENTS = {
    "lua-nginx-module": re.compile(r"\[?(?<!stream-)(?:ngx_lua|lua-nginx-module)" + _TO + r"(\d+\.\d+\.\d+(?:rc\d+)?)"),
    "lua-resty-core": re.compile(r"\[?lua-resty-core" + _TO + r"(\d+\.\d+\.\d+(?:rc\d+)?)"),
    "luajit": re.compile(r"\[?(?:LuaJIT|luajit2)" + _TO + r"(2\.1-\d{8}(?:\.\d+)?)"),
}




def main(argv: list[str]) -> int:
    git_dir, revision = argv[0], (argv[1] if len(argv) > 1 else "HEAD")
    commit = git(git_dir, "rev-parse", revision).strip()
    paths = [p for p in git(git_dir, "ls-tree", "--name-only", commit, "v2/en/").split()
             if re.fullmatch(r"v2/en/changelog-\d+\.md", p)]
    sections: dict[str, str] = {}
    for path in paths:
        text = git(git_dir, "show", f"{commit}:{path}")
        marks = list(SECTION.finditer(text))
        for index, mark in enumerate(marks):
            end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
            # top-level bullets only: the nested ones list the component's own changes
            sections[mark[1]] = "\n".join(line for line in text[mark.end():end].splitlines()
                                          if line.startswith("* "))
    current = {name: "" for name in COMPONENTS}
    rows = []
    for version in sorted(sections, key=key):
        for name, pattern in COMPONENTS.items():
            found = pattern.search(sections[version])
            if found:
                current[name] = found[1]
        if key(version) >= (1, 9, 7, 1):  # the oldest releases' logs do not name every component
            rows.append((version, ".".join(version.split(".")[:3]), *current.values()))
    lines = [
        "# What each OpenResty release bundles: its nginx core, lua-nginx-module, lua-resty-core and LuaJIT.",
        "# Source: OpenResty's change logs, https://openresty.org/en/changelog-1021004.html and the others, from",
        f"# https://github.com/openresty/openresty.org at {commit} (v2/en/changelog-*.md).",
        "# Regenerate: python scripts/update_openresty_releases.py GIT_DIR",
        "# openresty\tnginx\tlua-nginx-module\tlua-resty-core\tluajit",
    ]
    lines += ["\t".join(row) for row in rows]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} releases written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
