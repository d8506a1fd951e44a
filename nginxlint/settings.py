"""Settings: `[tool.nginxlint]` in pyproject.toml or `.nginxlint.yaml`, found by walking up; CLI flags win."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from .findings import SEVERITIES
from .repository import FIXTURE_DIRS, Fixtures
from .text import did_you_mean

CONFIG_NAMES = (".nginxlint.yaml", ".nginxlint.yml", "pyproject.toml")
CONTEXT_NAMES = {
    "main": (),
    "http": ("http",),
    "server": ("http", "server"),
    "location": ("http", "location"),
    "stream": ("stream",),
    "stream-server": ("stream", "server"),
    "upstream": ("http", "upstream"),
    "events": ("events",),
}
LUA_KEYS = ("known-modules", "known-globals", "paths")


class SettingsError(Exception):
    """A configuration mistake: printed with its origin, exit status 2."""


@dataclass
class Settings:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    failure_threshold: str = "warning"
    roots: list[str] = field(default_factory=list)
    prefix: str | None = None
    nginx_version: str | None = None  # the nginx (or OpenResty) release that runs the configs, when no image says
    lua_nginx_module: str | None = None  # the lua-nginx-module release nginx loads, when no OpenResty release says
    origin_domains: list[str] = field(default_factory=list)  # the sites an Origin/Referer check may accept (SEC543)
    origin_https_only: bool = False  # an Origin/Referer check may accept https only (SEC543)
    security_headers: list[str] | None = None  # the headers whose loss SEC503 reports; None: its own list
    extend_security_headers: list[str] = field(default_factory=list)  # added to that list
    path_map: list[tuple[str, Path]] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    extra_directives: list[str] = field(default_factory=list)
    context: tuple | None = None
    manifests: list[str] = field(default_factory=list)
    runtime: dict = field(default_factory=dict)
    containers: dict[str, str] = field(default_factory=dict)
    lua: dict = field(default_factory=dict)
    per_worker_memory: str | None = None  # None: 50Mi for a config that runs a Lua application, else 10Mi
    master_memory: str = "10Mi"
    stdout_log_paths: list[str] = field(default_factory=list)
    fixture_dirs: list[str] = field(default_factory=lambda: list(FIXTURE_DIRS))
    source: Path | None = None  # the file these settings came from
    no_cache: bool = False  # from --no-cache only
    dump: bool = False  # from --dump only: the named files (or standard input) are `nginx -T` output

    @property
    def known_modules(self) -> list[str]:
        return list(self.lua.get("known-modules") or ())

    @property
    def known_globals(self) -> list[str]:
        return list(self.lua.get("known-globals") or ())

    @property
    def lua_paths(self) -> list[str]:
        return list(self.lua.get("paths") or ())


# key in the file -> (attribute, expected type)
KEYS = {
    "select": ("select", list),
    "extend-select": ("extend_select", list),
    "ignore": ("ignore", list),
    "per-file-ignores": ("per_file_ignores", dict),
    "severity": ("severity", dict),
    "failure-threshold": ("failure_threshold", str),
    "roots": ("roots", list),
    "prefix": ("prefix", str),
    "nginx-version": ("nginx_version", str),
    "lua-nginx-module": ("lua_nginx_module", str),
    "origin-domains": ("origin_domains", list),
    "origin-https-only": ("origin_https_only", bool),
    "security-headers": ("security_headers", list),
    "extend-security-headers": ("extend_security_headers", list),
    "path-map": ("path_map", dict),
    "include": ("include", list),
    "exclude": ("exclude", list),
    "extra-directives": ("extra_directives", list),
    "context": ("context", str),
    "manifests": ("manifests", list),
    "runtime": ("runtime", dict),
    "containers": ("containers", dict),
    "lua": ("lua", dict),
    "per-worker-memory": ("per_worker_memory", str),
    "master-memory": ("master_memory", str),
    "stdout-log-paths": ("stdout_log_paths", list),
    "fixture-dirs": ("fixture_dirs", list),
}
PATH_KEYS = ("roots", "manifests")


def check_nginx_version(text: str, origin: str) -> None:
    from .nginx.releases import from_setting  # only when a version is given

    if from_setting(text) is None:
        raise SettingsError(f'{origin}: "{text}" is not an nginx release; write it as 1.25.3, 1.25 (a branch) or '
                            'openresty/1.21.4.1')


def check_lua_nginx_module(text: str, origin: str) -> None:
    from .openresty.releases import module_order  # only when a module version is given

    if not module_order(text):
        raise SettingsError(f'{origin}: "{text}" is not a lua-nginx-module release; write it as 0.10.23')


def config_places(start: Path) -> list[Path]:
    """Where a settings file for `start` may be, nearest first, up to the repository root."""
    start = start if start.is_dir() else start.parent
    places = []
    for directory in [start, *start.parents]:
        places.extend(directory / name for name in CONFIG_NAMES)
        if (directory / ".git").exists():
            break
    return places


def find_config(start: Path) -> Path | None:
    for candidate in config_places(start):
        if candidate.is_file():
            if candidate.name == "pyproject.toml" and "[tool.nginxlint" not in candidate.read_text("utf-8", "replace"):
                continue
            return candidate
    return None


def read_config(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SettingsError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise SettingsError(f"{path}: not UTF-8 text (byte {error.start}): save it as UTF-8") from None
    if path.name == "pyproject.toml":
        import tomllib  # only when a pyproject.toml is read
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{path}: {error}") from None
        return data.get("tool", {}).get("nginxlint", {}) or {}
    import yaml  # PyYAML's import is slow: only when a YAML file is read

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise SettingsError(f"{path}{where}: invalid YAML: {getattr(error, 'problem', error)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping of settings at the top level")
    return data


def _strings(value, origin: str, key: str) -> list[str]:
    """A list of strings; one string stands for a list of one (or a comma-separated list)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise SettingsError(f'{origin}: "{key}" must be a list of strings')


def _string_map(value: dict, origin: str, key: str) -> dict[str, str]:
    for name, item in value.items():
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            raise SettingsError(f'{origin}: "{key}.{name}" must be a string')
    return {str(name): str(item) for name, item in value.items()}


def apply(settings: Settings, data: dict, origin: str, base: Path) -> Settings:
    for key, value in data.items():
        if key not in KEYS:
            raise SettingsError(f'{origin}: unknown setting "{key}"{did_you_mean(str(key), KEYS)}')
        attribute, kind = KEYS[key]
        if kind is str and isinstance(value, (int, float)):
            value = str(value)
        if kind is list:
            value = _strings(value, origin, key)
        if not isinstance(value, kind):
            raise SettingsError(f'{origin}: "{key}" must be a {kind.__name__}, not {type(value).__name__}')
        if key == "path-map":
            value = _string_map(value, origin, key)
            value = sorted(((k, base / v) for k, v in value.items()), key=lambda kv: -len(kv[0]))
        elif key == "per-file-ignores":
            value = {str(pattern): _strings(codes, origin, f"{key}.{pattern}") for pattern, codes in value.items()}
        elif key == "severity":
            value = _string_map(value, origin, key)
        elif key == "context":
            if value not in CONTEXT_NAMES:
                raise SettingsError(f'{origin}: unknown context "{value}"{did_you_mean(value, CONTEXT_NAMES)}')
            value = CONTEXT_NAMES[value]
        elif key == "prefix":
            value = str(base / value)
        elif key in PATH_KEYS:
            value = [str(base / item) for item in value]
        elif key == "nginx-version":
            check_nginx_version(value, f'{origin}: "nginx-version"')
        elif key == "lua-nginx-module":
            check_lua_nginx_module(value, f'{origin}: "lua-nginx-module"')
        elif key in ("origin-domains", "security-headers", "extend-security-headers"):
            value = [item.lower() for item in value]
        elif key == "failure-threshold" and value not in SEVERITIES:
            raise SettingsError(f'{origin}: failure-threshold must be one of {", ".join(SEVERITIES)}, not "{value}"')
        elif key == "lua":
            for sub in value:
                if sub not in LUA_KEYS:
                    raise SettingsError(f'{origin}: unknown setting "lua.{sub}"{did_you_mean(str(sub), LUA_KEYS)}')
            value = {sub: _strings(items, origin, f"lua.{sub}") for sub, items in value.items()}
            if "paths" in value:
                value["paths"] = [str(base / p) for p in value["paths"]]
        elif key == "containers":
            value = {k: str(base / v) for k, v in _string_map(value, origin, key).items()}
        elif key in ("per-worker-memory", "master-memory"):
            _check_memory(key, value, origin)
        elif key == "runtime":
            _check_runtime(value, origin)
        setattr(settings, attribute, value)
    return settings


def _check_memory(key: str, text: str, origin: str) -> None:
    from .container.quantity import parse_memory  # only when the setting is given

    if parse_memory(text) is None:
        raise SettingsError(f'{origin}: "{key}" must be a memory quantity such as 50Mi, not "{text}"')


def _check_runtime(table: dict, origin: str) -> None:
    from .container.from_settings import settings_runtime  # only when the setting is given

    _facts, problems = settings_runtime(table, path=origin)
    if problems:
        raise SettingsError("; ".join(f"{origin}: {problem.message}" for problem in problems))


def load_settings(config: Path | None, isolated: bool, start: Path) -> Settings:
    settings = Settings()
    if isolated:
        return settings
    path = config or find_config(start)
    if path is None:
        return settings
    settings.source = path
    return apply(settings, read_config(path), str(path), path.parent)


# The tags of production advice that protects the people a server serves (from attacks and exposure, from requests
# dropped at shutdown), rather than helping those who run it (its logs): a benchmark serves no one.
_FOR_THOSE_SERVED = frozenset({"security", "shutdown"})


def _deployment_advice(rule) -> bool:
    """Advice on how a deployment runs: for production or deployed containers only, its performance, its container's
    sizing, process and filesystem. A Lua module the image cannot load (CTR114-116) is a failure, not advice."""
    return rule.production_only or rule.deployed_only or "performance" in rule.tags \
        or "container" in rule.tags and "lua" not in rule.tags


class Selection:
    """Which rules run, and where: select / extend-select / ignore / per-file-ignores by code, prefix, name or ALL;
    production-only rules stay quiet in fixture directories and in files only development containers hold,
    deployed-only rules in the latter; both, when about the container, in files only a test run's container holds."""

    def __init__(self, settings: Settings, catalog: dict, base_dir: Path = Path(".")):
        self.catalog = catalog
        self.fixtures = Fixtures(settings.fixture_dirs, base_dir)
        self.development_only: frozenset[str] = frozenset()  # files only development containers hold (engine)
        self.test_run_only: frozenset[str] = frozenset()  # files only a test run's container holds (engine)
        enabled = self.expand(settings.select) | self.expand(settings.extend_select)
        self.enabled = enabled - self.expand(settings.ignore)
        self.per_file = [(pattern, self.expand(codes)) for pattern, codes in settings.per_file_ignores.items()]
        for code, severity in settings.severity.items():
            self.expand([code])
            if severity not in SEVERITIES:
                raise SettingsError(f'severity of {code} must be one of {", ".join(SEVERITIES)}, not "{severity}"')
        self.severity = {code: sev for sel, sev in settings.severity.items() for code in self.expand([sel])}

    def expand(self, selectors) -> set[str]:
        codes: set[str] = set()
        names = {info.name: code for code, info in self.catalog.items()}
        for selector in selectors:
            selector = str(selector).strip()
            if selector == "ALL":  # opt-in rules are selected by their code or name only
                codes.update(code for code, info in self.catalog.items() if not info.opt_in)
            elif selector in names:
                codes.add(names[selector])
            elif selector.upper() in self.catalog:
                codes.add(selector.upper())
            else:
                matched = {code for code, info in self.catalog.items()
                           if code.startswith(selector.upper()) and not info.opt_in} if selector else set()
                if not matched:
                    hint = did_you_mean(selector, [*self.catalog, *names])
                    raise SettingsError(f'unknown rule or selector "{selector}"{hint}')
                codes.update(matched)
        return codes

    def _serves_no_one(self, rule, path: str) -> bool:
        """Advice for a deployment where the config serves no one. A benchmark's stacks serve its load generator:
        the advice that protects people is out of place (its logs and performance are not). A Lua library's example
        is started by its readers to try the library: no advice on running a deployment is in place, while what
        breaks nginx or the Lua stays."""
        if rule.production_only and _FOR_THOSE_SERVED.intersection(rule.tags) and self.fixtures.benchmark(path):
            return True
        return _deployment_advice(rule) and self.fixtures.library_example(path)

    def allows(self, code: str, path: str) -> bool:
        if code not in self.enabled:
            return False
        for pattern, codes in self.per_file:
            if code in codes and (fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)):
                return False
        rule = self.catalog[code]
        if self.fixtures.test_data(path):
            return False  # a program's test input (a parser's round-trip data): nginx never runs it
        if rule.own_code_only and self.fixtures.vendored(path):
            return False
        if rule.outside_tests and self.fixtures.test_suite(path):
            return False
        if (rule.production_only or rule.deployed_only) and "container" in rule.tags and path in self.test_run_only:
            return False  # advice on a deployed container, where the only container is a test run
        if rule.deployed_only and (path in self.development_only or self.fixtures.not_deployed(path)):
            return False
        if "restarts" in rule.tags and self.fixtures.try_out(path):
            return False  # advice on containers restarted one by one, where the stack is only started and removed whole
        if rule.severity == "info" and path in self.fixtures.switched_off:
            return False  # advice on a site sites-enabled/ does not enable: what would break nginx is still said
        if self._serves_no_one(rule, path):
            return False
        return not (rule.production_only and (path in self.development_only or self.fixtures.holds(path)))
