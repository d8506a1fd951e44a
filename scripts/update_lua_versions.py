"""Regenerate nginxlint/openresty/lua_directive_versions.tsv: the lua-nginx-module release that added each directive.

    python scripts/update_lua_versions.py GIT_DIR

GIT_DIR is a clone of https://github.com/openresty/lua-nginx-module with its tags. For every release tag
`vX.Y.Z` and release candidate `vX.Y.ZrcN` from v0.9.0 on (OpenResty sometimes bundles a release candidate), the script reads the module's command table
(`ngx_http_lua_cmds[]` in src/ngx_http_lua_module.c) with `git show` and writes the first release whose table
names each directive. This agrees with the README's "This directive was first introduced in the `vX` release"
and also covers the directives the README gives no version for.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from source_repo import git, module_tags

OUT = Path(__file__).resolve().parent.parent / "nginxlint" / "openresty" / "lua_directive_versions.tsv"
COMMAND = re.compile(r'\{\s*ngx_string\("([a-z_0-9]+)"\)')


def main(argv: list[str]) -> int:
    git_dir = argv[0]
    tags = module_tags(git_dir, (0, 9, 0))
    first: dict[str, str] = {}
    for version, tag in tags:
        source = git(git_dir, "show", f"{tag}:src/ngx_http_lua_module.c")
        table = source[source.index("ngx_http_lua_cmds[]"):]
        table = table[:table.index("ngx_null_command")]
        for name in COMMAND.findall(table):
            first.setdefault(name, tag[1:].lower())
    oldest = tags[0][1][1:].lower()
    lines = [
        "# The lua-nginx-module release that added each directive (the http subsystem's ngx_lua), for those added",
        f"# after v{oldest}. Source: the module's command table, ngx_http_lua_cmds[] in src/ngx_http_lua_module.c,",
        "# at each release tag of https://github.com/openresty/lua-nginx-module, last "
        f"{tags[-1][1]} ({git(git_dir, 'rev-parse', tags[-1][1]).strip()[:12]}).",
        "# Regenerate: python scripts/update_lua_versions.py GIT_DIR",
        "# directive\tversion",
    ]
    lines += [f"{name}\t{version}" for name, version in sorted(first.items()) if version != oldest]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 5} directives written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
