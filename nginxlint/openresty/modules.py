"""Modules a `require` finds without a file in the project: bundled with OpenResty or LuaJIT, or installed as rocks.

The lists are data: names from OpenResty's bundle (`/usr/local/openresty/lualib`), LuaJIT's built-ins and the
popular LuaRocks packages. A rock the table does not know gets the modules its name implies
(`lua-resty-foo` -> `resty.foo`, `resty.foo.*`), which is what nearly every lua-resty rock provides.
"""
from __future__ import annotations

import posixpath
from fnmatch import fnmatchcase
from dataclasses import dataclass
from pathlib import Path

# What OpenResty ships in lualib (lua-resty-core and the bundled lua-resty-* libraries, cjson, ...).
OPENRESTY_BUNDLED = (
    "resty.core", "resty.core.*", "ngx.*", "cjson", "cjson.safe", "resty.lock", "resty.lrucache",
    "resty.lrucache.pureffi", "resty.string", "resty.sha", "resty.sha1", "resty.sha224", "resty.sha256",
    "resty.sha384", "resty.sha512", "resty.md5", "resty.aes", "resty.random", "resty.upload",
    "resty.dns.resolver", "resty.redis", "resty.mysql", "resty.memcached", "resty.websocket.*",
    "resty.limit.*", "resty.upstream.healthcheck", "resty.shell", "resty.signal", "tablepool",
    "rds.parser", "redis.parser", "librestysignal", "resty.core.base64", "ngx.upstream",
)
# LuaJIT's own modules and OpenResty's LuaJIT extensions, plus the standard libraries (require "string" works).
LUAJIT_BUILTIN = (
    "ffi", "bit", "jit", "jit.*", "string.buffer", "table.new", "table.clear", "table.nkeys", "table.isempty",
    "table.isarray", "table.clone", "thread.exdata", "thread.exdata2", "string", "table", "math", "io", "os",
    "coroutine", "debug", "package", "_G",
)

# rock (or OPM package) name -> the modules it installs.
ROCK_MODULES = {
    "lua-resty-http": ("resty.http", "resty.http_headers", "resty.http_connect"),
    "nginx-lua-prometheus": ("prometheus", "prometheus_keys", "prometheus_resty_counter"),
    "lua-resty-jwt": ("resty.jwt", "resty.evp", "resty.hmac", "resty.jwt-validators"),
    "xml2lua": ("xml2lua", "XmlParser", "xmlhandler.*"),  # xml2lua-1.6 rockspec build.modules
    "penlight": ("pl", "pl.*"),
    "luasocket": ("socket", "socket.*", "ltn12", "mime", "mime.*"),
    "lua-cjson": ("cjson", "cjson.safe"),
    "luaossl": ("openssl", "openssl.*", "_openssl", "_openssl.*"),
    "lua-resty-template": ("resty.template", "resty.template.*"),
    "lua-resty-session": ("resty.session", "resty.session.*"),
    "lua-resty-openidc": ("resty.openidc",),
    "lua-resty-mlcache": ("resty.mlcache", "resty.mlcache.*"),
    "lua-resty-healthcheck": ("resty.healthcheck", "resty.healthcheck.*"),
    "lua-resty-kafka": ("resty.kafka.*",),
    "lua-resty-jit-uuid": ("resty.jit-uuid",),
    "lua-resty-cookie": ("resty.cookie",),
    "lua-resty-redis-connector": ("resty.redis.connector", "resty.redis.sentinel"),
    "kong-redis-cluster": ("resty.rediscluster", "resty.xmodem"),
    "lua-resty-worker-events": ("resty.worker.events",),
    "lua-resty-events": ("resty.events", "resty.events.*"),
    "lua-resty-openssl": ("resty.openssl", "resty.openssl.*"),
    "lua-resty-auto-ssl": ("resty.auto-ssl", "resty.auto-ssl.*"),
    "lua-resty-acme": ("resty.acme.*",),
    "lua-resty-iputils": ("resty.iputils",),
    "lua-resty-ipmatcher": ("resty.ipmatcher",),
    "lua-resty-radixtree": ("resty.radixtree",),
    "lua-resty-dns-client": ("resty.dns.client", "resty.dns.balancer.*", "resty.dns.utils"),
    "lua-resty-balancer": ("resty.chash", "resty.roundrobin", "resty.swrr"),
    "lua-resty-hmac": ("resty.hmac",),
    "lua-resty-nettle": ("resty.nettle", "resty.nettle.*"),
    "lua-resty-consul": ("resty.consul",),
    "lua-resty-etcd": ("resty.etcd", "resty.etcd.*"),
    "lua-resty-logger-socket": ("resty.logger.socket",),
    "lua-resty-rsa": ("resty.rsa",),
    "lua-resty-uuid": ("resty.uuid",),
    "lua-resty-maxminddb": ("resty.maxminddb",),
    "lua-resty-timer": ("resty.timer",),
    "lua-resty-validation": ("resty.validation", "resty.validation.*"),
    "lua-resty-global-throttle": ("resty.global_throttle", "resty.global_throttle.*"),
    "lua-resty-redis-cluster": ("resty.rediscluster", "resty.xmodem"),
    "lua-resty-murmurhash2": ("resty.murmurhash2",),
    "lua-resty-lrucache": ("resty.lrucache", "resty.lrucache.pureffi"),
    "lua-resty-string": ("resty.string", "resty.sha*", "resty.md5", "resty.aes", "resty.random"),
    "lua-resty-core": ("resty.core", "resty.core.*", "ngx.*"),
    "luafilesystem": ("lfs",),
    "lpeg": ("lpeg", "re"),
    "lyaml": ("lyaml", "lyaml.*", "yaml"),
    "luasec": ("ssl", "ssl.*"),
    "inspect": ("inspect",),
    "dkjson": ("dkjson",),
    "lua-protobuf": ("pb", "pb.*", "protoc"),
    "lualogging": ("logging", "logging.*"),
    "jsonschema": ("jsonschema", "jsonschema.*"),
    "lua-resty-ngxvar": ("resty.ngxvar",),
    "lua-resty-expr": ("resty.expr.*",),
    "lbase64": ("base64",),
    "lua-resty-kafka-fork": ("resty.kafka.*",),
    "lua-resty-jwt-verification": ("resty.jwt-verification", "resty.jwt-verification-jwks",
                                   "resty.jwt-verification-jwks-cache-local"),
    "lua-ffi-zlib": ("ffi-zlib",),
    "rxi-json-lua": ("rxi-json-lua",),  # its rockspec installs json.lua under the rock's name
    "lua-resty-cors": ("lib.resty.cors",),  # its rockspec's build.modules, the name its README requires
    "lua-resty-acme": ("resty.acme.*",),
    # OpenResty's own libraries, also published as rocks and OPM packages.
    "lua-resty-redis": ("resty.redis",),
    "lua-resty-mysql": ("resty.mysql",),
    "lua-resty-memcached": ("resty.memcached",),
    "lua-resty-websocket": ("resty.websocket.*",),
    "lua-resty-limit-traffic": ("resty.limit.*",),
    "lua-resty-lock": ("resty.lock",),
    "lua-resty-upload": ("resty.upload",),
    "lua-resty-dns": ("resty.dns.resolver",),
    "lua-resty-upstream-healthcheck": ("resty.upstream.healthcheck",),
    "lua-resty-shell": ("resty.shell",),
    "lua-resty-signal": ("resty.signal",),
}

# rock -> the rocks its rockspec depends on, which `luarocks install` brings along (their `dependencies`).
ROCK_DEPENDENCIES = {
    "lua-resty-openidc": ("lua-resty-http", "lua-resty-session", "lua-resty-jwt"),
    "lua-resty-session": ("lua-ffi-zlib", "lua-resty-openssl"),
    "lua-resty-jwt-verification": ("lua-resty-openssl", "lua-resty-http"),
    "luasec": ("luasocket",),
    "penlight": ("luafilesystem",),
    "busted": ("luafilesystem", "penlight", "dkjson", "lua_cliargs", "say", "luassert", "lua-term", "luasystem"),
    "lapis": ("luasocket", "lpeg", "lua-cjson", "luaossl", "etlua", "loadkit", "date", "ansicolors", "argparse"),
    # OPM's `requires` of dist.ini, which `opm get` installs along with it
    "lua-resty-acme": ("lua-resty-http", "lua-resty-openssl"),
}


def rock_dependencies(rock: str) -> tuple[str, ...]:
    """The rocks installing `rock` also installs, transitively, as far as the table knows them."""
    found: dict[str, None] = {}
    stack = list(ROCK_DEPENDENCIES.get(rock.lower(), ()))
    while stack:
        name = stack.pop(0)
        if name not in found and name != rock.lower():
            found[name] = None
            stack.extend(ROCK_DEPENDENCIES.get(name, ()))
    return tuple(found)


def rock_modules(rock: str) -> tuple[str, ...]:
    """The modules a rock provides: from the table, else what its name implies."""
    rock = rock.lower()
    known = ROCK_MODULES.get(rock)
    if known:
        return known
    if rock.startswith("lua-resty-"):
        base = "resty." + rock[len("lua-resty-"):]
    elif rock.startswith("lua-"):
        base = rock[len("lua-"):]
    elif rock.endswith("-lua"):
        base = rock[: -len("-lua")]
    else:
        base = rock
    return (base, base + ".*")


class ModuleSet:
    """Module names and patterns (`pl.*` matches `pl` itself and every `pl.x.y`), each with why it is there."""

    def __init__(self):
        self._exact: dict[str, str] = {}
        self._prefixes: dict[str, str] = {}
        self._globs: list[tuple[str, str]] = []

    def add(self, pattern: str, why: str) -> None:
        if pattern.endswith(".*") and not any(c in pattern[:-2] for c in "*?["):
            self._prefixes.setdefault(pattern[:-2], why)
        elif any(c in pattern for c in "*?["):
            self._globs.append((pattern, why))
        else:
            self._exact.setdefault(pattern, why)

    def update(self, patterns, why: str) -> None:
        for pattern in patterns:
            self.add(pattern, why)

    def merge(self, other: "ModuleSet") -> None:
        for name, why in other._exact.items():
            self._exact.setdefault(name, why)
        for prefix, why in other._prefixes.items():
            self._prefixes.setdefault(prefix, why)
        self._globs.extend(other._globs)

    def why(self, module: str) -> str | None:
        """Why `module` is available, or None. `require("resty/redis")` finds what `require("resty.redis")` does: Lua
        turns dots into the directory separator, which a slash already is."""
        module = module.replace("/", ".")
        found = self._exact.get(module)
        if found is not None:
            return found
        name = module
        while True:
            found = self._prefixes.get(name)
            if found is not None:
                return found
            if "." not in name:
                break
            name = name.rsplit(".", 1)[0]
        if self._globs:

            for pattern, why in self._globs:
                if fnmatchcase(module, pattern):
                    return why
        return None

    def __contains__(self, module: str) -> bool:
        return self.why(module) is not None


def builtin_modules() -> ModuleSet:
    modules = ModuleSet()
    modules.update(LUAJIT_BUILTIN, "a LuaJIT built-in module")
    modules.update(OPENRESTY_BUNDLED, "bundled with OpenResty")
    return modules


# -- rocks installed by the project: Dockerfiles and LuaRocks manifests ---------------------------------------

@dataclass(frozen=True)
class InstalledRock:
    rock: str
    modules: tuple[str, ...]
    path: Path  # the Dockerfile or manifest that installs it
    line: int
    required_by: str | None = None  # the rock whose dependency it is, installed along with it

    @property
    def installed_as(self) -> str:
        """The install that brings it: `luarocks install luasec` (with its dependency luasocket)."""
        if self.required_by:
            return f"`luarocks install {self.required_by}` (with its dependency {self.rock})"
        return f"`luarocks install {self.rock}`"


def _logical_lines(text: str):
    """(first physical line, logical line) with backslash continuations joined, as the shell sees them."""
    pieces: list[str] = []
    first = 1
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("#"):
            continue  # a Dockerfile comment, also inside a continued instruction
        if not pieces:
            first = number
        stripped = line.rstrip()
        if stripped.endswith("\\"):
            pieces.append(stripped[:-1])
            continue
        pieces.append(line)
        yield first, " ".join(pieces)
        pieces = []
    if pieces:
        yield first, " ".join(pieces)


def dockerfile_rocks(path: Path, text: str) -> list[InstalledRock]:
    """`luarocks install NAME` and `opm get OWNER/NAME` in the shell lines of a Dockerfile (RUN, heredocs).

    The commands are read by nginxlint.container.installs, which the image model uses too; this reader needs no
    Dockerfile parser, so it works wherever nginxlint is installed.
    """
    from ..container.installs import run_effects  # the manifest readers, only when a manifest is read

    found = []
    physical = text.split("\n")
    for first, logical in _logical_lines(text):
        words = logical.split(None, 1)
        if words and words[0].upper() == "RUN":  # the instruction and its --mount/--network flags
            logical = words[1] if len(words) > 1 else ""
            while logical.startswith("--"):
                logical = logical.split(None, 1)[1] if " " in logical.strip() else ""
        for rock in run_effects(logical, "/", first).rocks:
            if rock.name is None or rock.only_deps or _in_context(path, rock.rockspec):
                continue  # a local rock or the repository's rockspec: what it provides is read from the build context
            line = _physical_line(physical, first, rock.name)
            found.append(InstalledRock(rock.name, rock_modules(rock.name), path, line))
            if rock.tool in ("luarocks", "opm"):  # and the rocks it depends on, which the tool installs with it
                found.extend(InstalledRock(dependency, rock_modules(dependency), path, line, rock.name)
                             for dependency in rock_dependencies(rock.name))
    return found


def _in_context(dockerfile: Path, rockspec: str | None) -> bool:
    """Whether the rockspec `luarocks install` names is the repository's (next to the Dockerfile), not a download."""
    if rockspec is None:
        return False
    name = posixpath.basename(rockspec)
    return (dockerfile.parent / name).is_file() or (dockerfile.parent / "rockspecs" / name).is_file()


def _physical_line(lines: list[str], first: int, word: str) -> int:
    for number in range(first, len(lines) + 1):
        if word in lines[number - 1]:
            return number
    return first


def manifest_rocks(path: Path, text: str) -> list[InstalledRock]:
    """A LuaRocks tree manifest (Lua: `repository = {...}`, `modules = {...}`) read with our Lua parser."""
    from ..lua.parser import LuaSyntaxError, parse  # the Lua analysis, only when a config runs Lua

    from ..lua import ast  # the Lua analysis, only when a config runs Lua

    try:
        chunk = parse(text)
    except LuaSyntaxError:
        return []
    found: list[InstalledRock] = []
    module_names: list[str] = []
    for statement in chunk.body:
        if type(statement) is not ast.Assign:
            continue
        for target, value in zip(statement.targets, statement.values):
            if type(target) is not ast.Name or type(value) is not ast.Table:
                continue
            if target.name == "modules":
                module_names.extend(key_names(value))
            elif target.name == "repository":
                for key, versions in value.items:
                    rock = key_name(key)
                    if rock is None:
                        continue
                    provided = [*_nested_modules(versions)] or list(rock_modules(rock))
                    line = text.count("\n", 0, key.start) + 1
                    found.append(InstalledRock(rock, tuple(provided), path, line))
    if module_names:
        found.append(InstalledRock("", tuple(module_names), path, 1))
    return found


def key_name(key) -> str | None:
    """The name a Lua table key spells: `name = …` or `["name"] = …`; None for other keys."""
    from ..lua import ast  # the Lua analysis, only when a config runs Lua

    if type(key) is ast.String:
        return key.value
    if type(key) is ast.Name:
        return key.name
    return None


def key_names(table) -> list[str]:
    """The names of a Lua table's named keys, in order."""
    return [name for name in (key_name(key) for key, _ in table.items if key is not None) if name]


def _nested_modules(node) -> list[str]:
    """Every key of every `modules = { ... }` table below `node` (the per-version entries of a rock)."""
    from ..lua import ast  # the Lua analysis, only when a config runs Lua

    names: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is not ast.Table:
            continue
        for key, value in current.items:
            if key is not None and key_name(key) == "modules" and type(value) is ast.Table:
                names.extend(key_names(value))
            else:
                stack.append(value)
    return names
