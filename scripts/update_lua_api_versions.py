"""Regenerate nginxlint/openresty/lua_api_versions.tsv: the lua-nginx-module release that added each Lua API call.

    python scripts/update_lua_api_versions.py GIT_DIR

GIT_DIR is a clone of https://github.com/openresty/lua-nginx-module with its tags. For every release tag `vX.Y.Z` and
release candidate `vX.Y.ZrcN` from v0.9.0 on, the script reads two things with `git show`:

- README.markdown: each section of the "Nginx API for Lua" whose heading names a function or method (`ngx.worker.pids`,
  `ngx.shared.DICT.ttl`, `tcpsock:getfd`) and whose `**syntax:**` line calls it. Sections of modules that
  lua-resty-core ships (`ngx.semaphore`) and of fields (`ngx.status`, `ngx.config.subsystem`) are left out: nothing
  is called there.
  A section's own "This API was first introduced in the `vX` release" counts too, when it names an older release
  than the first tag documenting it (the README caught up later).
- src/ngx_http_lua_*.c: the names the C code registers as Lua functions (`lua_setfield(L, -2, "NAME")`); a
  cosocket's or shared dict's methods only in their own file (ngx_http_lua_socket_tcp.c, …_socket_udp.c, …_shdict.c).

An API's release is the oldest of: the first tag whose README documents it, the release its section says, and the
first tag whose C code registers its last name part (a last name part the C code registers for something else
makes the release earlier, never later: the rule built on the table then says less, not something wrong). APIs
that v0.9.0 already has are not written.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from source_repo import MODULE_TAG, git, module_tags, tag_order

OUT = Path(__file__).resolve().parent.parent / "nginxlint" / "openresty" / "lua_api_versions.tsv"
HEADING = re.compile(r"^((?:ngx\.[A-Za-z_][\w.]*)|(?:tcpsock|udpsock):\w+)\n-{3,}\n(.*?)(?=^\S[^\n]*\n-{3,}\n|\Z)",
                     re.M | re.S)
SYNTAX = re.compile(r"\*\*syntax:\*\*(.*)")
REGISTERED = re.compile(r'lua_setfield\(L, -2, "([A-Za-z_]\w*)"\)')
SOURCES = re.compile(r"src/ngx_http_lua_(\w+)\.c")
OWN_FILE = {"tcpsock:": "socket_tcp", "udpsock:": "socket_udp", "ngx.shared.DICT.": "shdict"}
STATED = re.compile(r"This (?:API|API function|method|function|feature|interface) was first (?:introduced|added|enabled) "
                    r"(?:in|to) (?:the )?`?v?(\d+\.\d+\.\d+(?:rc\d+)?)`?")


def documented_calls(readme: str) -> dict[str, str | None]:
    """The functions and methods README.markdown has a section for, with a syntax line that calls them, and the
    release each section says it appeared in (None when it does not say)."""
    calls = {}
    for heading in HEADING.finditer(readme):
        name, body = heading[1], heading[2]
        syntax = SYNTAX.search(body)
        if syntax is None:
            continue
        head, _, last = name.rpartition(".") if ":" not in name else (name, "", "")
        written = (name, f"{head}:{last}") if last else (name,)  # ngx.shared.DICT.ttl is called DICT:ttl(...)
        if any(w + "(" in syntax[1] for w in written):
            stated = STATED.search(body)
            calls[name] = "v" + stated[1] if stated else None
    return calls


def registered_names(git_dir: str, tag: str) -> set[tuple[str, str]]:
    """(file, name) of every function the C sources register: ("socket_udp", "bind")."""
    names = set()
    for path in git(git_dir, "ls-tree", "--name-only", tag, "src/").split():
        if match := SOURCES.fullmatch(path):
            names.update((match[1], name) for name in REGISTERED.findall(git(git_dir, "show", f"{tag}:{path}")))
    return names


def registration(api: str) -> tuple[str | None, str]:
    """(the file that must register it, None for any; the name registered)."""
    name = re.split(r"[.:]", api)[-1]
    return next((file for prefix, file in OWN_FILE.items() if api.startswith(prefix)), None), name


def main(argv: list[str]) -> int:
    git_dir = argv[0]
    tags = module_tags(git_dir, (0, 9, 0))
    documented: dict[str, tuple] = {}  # api -> (order, release) of the first tag documenting it
    stated: dict[str, tuple] = {}  # api -> (order, release) its section names
    registered: dict[tuple, tuple] = {}  # (file or None, name) the C code registers -> (order, release) of the first
    for version, tag in tags:
        release = (version, tag[1:].lower())
        for api, said in documented_calls(git(git_dir, "show", f"{tag}:README.markdown")).items():
            documented.setdefault(api, release)
            if said is not None and (m := MODULE_TAG.fullmatch(said)):
                stated.setdefault(api, (tag_order(m), said[1:]))
        for file, name in registered_names(git_dir, tag):
            registered.setdefault((file, name), release)
            registered.setdefault((None, name), release)
    oldest = tags[0][0]
    first: dict[str, str] = {}
    for api, release in documented.items():
        candidates = [release, stated.get(api), registered.get(registration(api))]
        version, name = min(c for c in candidates if c is not None)
        if version > oldest:
            first[api] = name
    lines = [
        "# The lua-nginx-module release that added each Lua function or method (the http subsystem's ngx_lua), for",
        f"# those added after {tags[0][1]}: the oldest of the first release tag whose README.markdown documents it, the",
        "# release its README section names, and the first tag whose src/ngx_http_lua_*.c registers its name.",
        "# Source: https://github.com/openresty/lua-nginx-module, tags up to "
        f"{tags[-1][1]} ({git(git_dir, 'rev-parse', tags[-1][1]).strip()[:12]}).",
        "# Regenerate: python scripts/update_lua_api_versions.py GIT_DIR",
        "# api\tversion",
    ]
    lines += [f"{api}\t{version}" for api, version in sorted(first.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(first)} APIs written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
