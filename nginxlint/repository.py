"""Where a file's repository starts, and which of its directories and files hold fixtures rather than deployed
configs."""
from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

# A CI service's jobs: what they start to run the tests (a CI job's nginx: `.github/workflows/mint/nginx.conf`)
CI_DIRS = (".github/workflows", ".circleci", ".buildkite")
# The fixture directories that hold a test suite and its data: nginx never loads their files as they stand (an
# example, a demo or a benchmark is still a config people start).
TEST_DIRS = (
    "test", "tests", "testing", "t", "spec", "specs", "testdata", "test[-_]data", "*[-_]testdata", "*[-_]test[-_]data", "fixture",
    "fixtures", "e2e", "integration", "*integration[-_]test", "*integration[-_]tests", "test[-_]*", "e2e[-_]*",
    "*[-_]test", "*[-_]tests",
    "chaos",  # fault-injection experiments: configs a test harness breaks on purpose
    *CI_DIRS,
)
# The test suite's directories of data a program's tests read (a config parser's round-trip inputs,
# `nginx-roundtrip-testdata/`): no nginx is started with those files, so nothing said of them helps anyone.
TEST_DATA_DIRS = ("testdata", "test[-_]data", "*[-_]testdata", "*[-_]test[-_]data")
# The fixture directories of a developer's environment (a dev container, a Gitpod workspace): what runs there is
# restarted as part of the work and serves no one.
DEVELOPMENT_DIRS = ("dev-environment", "dev-environments", "local[-_]environment", "local[-_]environments", "devenv",
                    "devenvs", "dev[-_]env", "dev[-_]envs", "local[-_]setup", ".devcontainer", ".gitpod*",
                    "gitpod",  # a Gitpod workspace's files beside the other images (docker/gitpod/, .gitpod.yml names)
                    ".ddev",  # DDEV's local web container (`.ddev/nginx_full/`)
                    "*ephemeral", "ephemeral[-_]*")  # a throw-away stack a test run starts (`deploy/dockerephemeral/`)
# The fixture directories of try-out stacks (a demo, a quick start): started whole by someone trying the project and
# removed whole, so no container outlives another there. (An example is not one: an image's `examples/` are the
# stacks its users copy to deploy it.)
TRY_OUT_DIRS = ("demo", "demos", "*[-_]demo", "*[-_]demos", "demo[-_]*", "quick[-_]setup", "quick[-_]start",
                "quickstart", "getting[-_]started", "getting[-_]started[-_]*")
# The fixture directories of leftovers kept for reference (nginx-old/, deprecated/, archive/), and the file names that
# say so (old_site.conf, nginx.conf.old, default.bak, site.conf.orig): no deployment reads them. (Not "backup":
# nginx's upstream `backup` servers give real files that name.)
LEFTOVER_DIRS = ("old", "*[-_]old", "old[-_]*", "deprecated", "unused", "archive", "archives", "archived", "attic")
# The fixture directories of examples: in a library's repository, configs its readers start to try the library.
EXAMPLE_DIRS = ("example", "examples", "*[-_]example", "*[-_]examples")
# The fixture directories that hold another project's sources, copied in: their optional dependencies are theirs.
VENDORED_DIRS = ("vendor", "vendored", "third[-_]party", "thirdparty", "deps")
BENCHMARK_DIRS = ("benchmark", "benchmarks", "bench")
# Directories of tests, examples, benchmarks, development environments and vendored sources (glob patterns, matched
# against each directory name, ignoring case): the configs there are run by a test suite, shown to readers, started
# on a developer's machine (a dev container, a Gitpod workspace) or shipped by another project (the stock
# conf/nginx.conf of a vendored nginx source tree), never served to the public by this one. Every group above.
FIXTURE_DIRS = tuple(dict.fromkeys((*TEST_DIRS, *EXAMPLE_DIRS, *BENCHMARK_DIRS, *DEVELOPMENT_DIRS, *VENDORED_DIRS,
                                    *TRY_OUT_DIRS, *LEFTOVER_DIRS)))
# A README's name, as a project writes it (`README.md`, `readme.rst`, `README`): its commands and notes are the
# reader's instructions
README_NAME = re.compile(r"readme(?:\.(?:md|markdown|rst|txt))?", re.IGNORECASE)
_LEFTOVER_NAME = re.compile(r"(?:^|[-_.])(?:old|bak|backup|orig|deprecated|unused)(?:[-_.]|$)", re.I)
# A config named as an example to copy and make one's own (`service-example.conf`, `example.conf`, `site.sample.conf`):
# the one a deployment runs is the copy, under the name the README gives it. Not a last suffix: `nginx.conf.sample`
# is what an image or script copies into place as it stands (see ACTIVATED_SUFFIXES in nginx/placeholders).
_EXAMPLE_NAME = re.compile(r"(?:^|[-_.])(?:example|sample)(?=[-_.])", re.I)
# The last suffix of a developer's copy of a config (`nginx.conf.dev`)
_DEVELOPMENT_SUFFIXES = frozenset({"dev", "development", "local"})
# A path, build stage or image tag named for development (docker/dev/Dockerfile, `target: backend-development`)
DEVELOPMENT_NAME = re.compile(r"(?:^|[/._-])(?:dev|devel|development)(?:[/._-]|$)", re.IGNORECASE)
# The production twins of a main config kept for development beside them (`nginx.conf` and `nginx-prod.conf`):
# configs nginxlint reads. Not `nginx.conf.prod`, one of the per-environment copies a start script puts in place
# (`cp nginx.conf.$ENV nginx.conf`): no config of that name is linted, so its advice would be said nowhere.
_PRODUCTION_TWINS = tuple(f"nginx{sep}{word}.conf" for word in ("prod", "production") for sep in "-_.")
# A backup copy an editor, a package manager or a person left beside a config (`site.conf.bak`, `nginx.conf.orig`,
# `default~`, `nginx.bak.conf`): a config names it, or nginx never loads it (an `include *.conf` does pick up
# `nginx.bak.conf` in a conf.d/, but then a config includes it and it is deployed). And a config switched off by
# its name (`wp-subdir.conf.OFF`, `site.conf.disabled`): an alternative kept beside the one `conf.d/*.conf` loads.
_SWITCHED_OFF = r"\.(?:off|disabled)$"
_BACKUP_COPY = re.compile(r"(?:\.(?:bak|orig|old|backup|save|dpkg-old|dpkg-dist|rpmsave|rpmnew)|~)$"
                          rf"|[._-](?:bak|orig)\d*\.conf$|{_SWITCHED_OFF}", re.I)


def is_backup_copy(display_path: str) -> bool:
    return bool(_BACKUP_COPY.search(display_path))


def backup_kind(display_path: str) -> str:
    """How a backup copy is named in messages: switched off by its name, or a backup."""
    return "a switched-off copy" if re.search(_SWITCHED_OFF, display_path, re.I) else "a backup copy"


# A repository named as a collection of demos, examples or samples (NGINX-Demos, nginx-demo, njs-examples,
# orthanc-setup-samples): every config in it is one.
_DEMO_REPOSITORY = re.compile(r"(?:^|[-_+.])(?:demos?|examples|samples)(?:$|[-_+.])", re.I)
# Of those, the collections of demos and samples: each a stack to try, started and removed whole
_TRY_OUT_REPOSITORY = re.compile(r"(?:^|[-_+.])(?:demos?|samples)(?:$|[-_+.])", re.I)


def _library_module_copy(display_path: str) -> bool:
    """The file is at the path of a `resty.*` module of a library nginxlint knows (`…/resty/jwt.lua`,
    `…/resty/http.lua`): a copy of that library, whose optional dependencies are its own."""
    from .openresty.modules import ROCK_MODULES  # the rock table, only for a Lua file a rule asks about

    parts = display_path.replace("\\", "/").split("/")
    if len(parts) < 2 or parts[-2] != "resty" or not parts[-1].endswith(".lua"):
        return False
    module = "resty." + parts[-1][:-len(".lua")]
    return any(module in modules for modules in ROCK_MODULES.values())


def find_repository_root(start: Path) -> Path | None:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return None


class Fixtures:
    """Tells whether a file is a fixture: it lies in a fixture directory of its repository (below the directory
    the run started in when there is no repository) or in the repository of a Lua library, or its content says it
    is not deployed as it stands (`add_files`), so that one file gets one answer however the run is started."""

    def __init__(self, patterns, base_dir: Path):
        self.patterns = [pattern.lower() for pattern in patterns]
        # the kinds of fixture directory the settings keep, chosen once
        self._test_patterns = [pattern for pattern in TEST_DIRS if pattern in self.patterns]
        self._data_patterns = [pattern for pattern in TEST_DATA_DIRS if pattern in self.patterns]
        self._undeployed_patterns = [pattern for pattern in (*TEST_DIRS, *DEVELOPMENT_DIRS, *LEFTOVER_DIRS)
                                     if pattern in self.patterns]
        self._leftover_patterns = [pattern for pattern in LEFTOVER_DIRS if pattern in self.patterns]
        self._try_out_patterns = [pattern for pattern in TRY_OUT_DIRS if pattern in self.patterns]
        self._releases: dict[tuple, bool] = {}
        self.base_dir = base_dir
        self.files: set[str] = set()
        self.switched_off: set[str] = set()
        self._by_directory: dict[str, bool] = {}
        self._whole: dict[Path, bool] = {}  # repositories that are fixtures as a whole (a Lua library, demos)
        self._benchmarks: dict[Path, bool] = {}  # repositories that are benchmark suites
        self._libraries: dict[Path, tuple[bool, bool]] = {}  # repositories: (a Lua package alone, a library)
        self._places: dict[Path, tuple | None] = {}

    def add_files(self, display_paths) -> None:
        """Files the configs themselves show not to be deployed (nginx.placeholders.undeployed_files)."""
        self.files.update(display_paths)

    def add_switched_off(self, display_paths) -> None:
        """Files nginx never loads as the repository stands (a site of sites-available/ no link enables)."""
        self.switched_off.update(display_paths)
        self.files.update(self.switched_off)

    def holds(self, display_path: str) -> bool:
        if not self.patterns:
            return False
        if display_path in self.files or self._leftover_name(display_path) or self._example_name(display_path) \
                or self._development_config(display_path):
            return True
        directory = os.path.dirname(os.path.abspath(os.path.join(self.base_dir, display_path)))
        hit = self._by_directory.get(directory)
        if hit is None:
            hit = self._by_directory[directory] = self._is_fixture(Path(directory))
        return hit

    def vendored(self, display_path: str) -> bool:
        """The file lies in a directory of vendored sources, or in an OpenResty source release the repository keeps
        to build from (when fixture directories are judged at all), or is a copy of a known lua-resty library's
        module (`libs/resty/jwt.lua`: lua-resty-jwt's)."""
        if self._below(display_path, VENDORED_DIRS) or self.patterns and _library_module_copy(display_path):
            return True
        found = self._place_of(display_path) if self.patterns else None
        return found is not None and self._in_release(*found)

    def test_suite(self, display_path: str) -> bool:
        """The file lies in a fixture directory of a test suite (tests/, t/, spec/, fixtures/ and the like)."""
        return self._below(display_path, self._test_patterns)

    def kept_aside(self, display_path: str) -> bool:
        """The file lies in a directory of leftovers (`old/`, `deprecated/`, `unused/`): kept for reference."""
        return self._below(display_path, self._leftover_patterns)

    def try_out(self, display_path: str) -> bool:
        """The file lies in a directory of a try-out stack (`demo/`, `quick-setup/`) or in a repository of them
        (`nginx-demos`, `orthanc-setup-samples`): started and removed whole."""
        found = self._place_of(display_path) if self._try_out_patterns else None
        return found is not None and (any(_holds(found[1], pattern) for pattern in self._try_out_patterns)
                                      or bool(_TRY_OUT_REPOSITORY.search(found[0].name)))

    def test_data(self, display_path: str) -> bool:
        """The file lies in a directory of a test suite's data (`testdata/`, `*-testdata/`): no nginx runs it."""
        return self._below(display_path, self._data_patterns)

    def not_deployed(self, display_path: str) -> bool:
        """The file lies in a test suite's, a developer environment's or a leftover's fixture directory, is named
        as a leftover or as a developer's copy (`nginx.conf` beside `nginx-prod.conf`), or is switched off: never
        deployed as it stands (an example or a demo is still started by the people who read it)."""
        return display_path in self.switched_off or self._leftover_name(display_path) or \
            self._below(display_path, self._undeployed_patterns) or \
            bool(self.patterns) and self._development_config(display_path)

    def benchmark(self, display_path: str) -> bool:
        """The file lies in the repository of a benchmark suite (`is_benchmark`), when fixtures are judged at all."""
        found = self._place_of(display_path) if self.patterns else None
        if found is None:
            return False
        top = found[0]
        if top not in self._benchmarks:
            self._benchmarks[top] = is_benchmark(top)
        return self._benchmarks[top]

    def library_example(self, display_path: str) -> bool:
        """The file lies in an example directory of a library's repository (`is_lua_library`, a `lib/resty/` tree of
        modules, or an nginx module's source), or anywhere in a repository whose package holds Lua modules alone
        (`is_lua_library`), when fixtures are judged at all: a config its readers start to try the library, or its
        developers to work on it."""
        found = self._place_of(display_path) if self.patterns else None
        if found is None:
            return False
        top = found[0]
        if top not in self._libraries:
            package = is_lua_library(top)
            self._libraries[top] = (package, package or _holds_resty_modules(top) or _holds_module_source(top))
        package, library = self._libraries[top]
        return library if self._below(display_path, EXAMPLE_DIRS) else package

    def _leftover_name(self, display_path: str) -> bool:
        return bool(self.patterns) and bool(_LEFTOVER_NAME.search(os.path.basename(display_path)))

    def _development_config(self, display_path: str) -> bool:
        """A main config, `nginx.conf`, whose production twin sits beside it (`nginx-prod.conf`, `nginx.prod.conf`):
        the twin is what a deployment starts nginx with. A fragment's twin says less: `site.conf` beside
        `site-prod.conf` may hold what staging and production share, and a `dev.conf` in conf.d/ is included with the
        rest. A file named for development after its own name (`nginx.conf.dev`, `default.conf.local`) beside the
        file of that name is the developer's copy of it: no `include *.conf` takes it."""
        name = os.path.basename(display_path)
        directory = os.path.dirname(os.path.join(self.base_dir, display_path))
        base, dot, suffix = name.rpartition(".")
        if dot and suffix.lower() in _DEVELOPMENT_SUFFIXES and base.endswith(".conf"):
            return os.path.isfile(os.path.join(directory, base))
        if name != "nginx.conf":
            return False
        return any(os.path.isfile(os.path.join(directory, twin)) for twin in _PRODUCTION_TWINS)

    def _example_name(self, display_path: str) -> bool:
        return "example" in self.patterns and bool(_EXAMPLE_NAME.search(os.path.basename(display_path)))

    def _below(self, display_path: str, patterns) -> bool:
        found = self._place_of(display_path) if self.patterns else None
        return found is not None and any(_holds(found[1], pattern) for pattern in patterns)

    def _place_of(self, display_path: str) -> tuple[Path, tuple[str, ...]] | None:
        return self._place(Path(os.path.dirname(os.path.abspath(os.path.join(self.base_dir, display_path)))))

    def _place(self, directory: Path) -> tuple[Path, tuple[str, ...]] | None:
        """The directory's repository (a submodule counts where its superproject holds it) and its path there,
        found once per directory."""
        if directory not in self._places:
            self._places[directory] = self._find_place(directory)
        return self._places[directory]

    def _find_place(self, directory: Path) -> tuple[Path, tuple[str, ...]] | None:
        top = find_repository_root(directory)
        while top is not None and (top / ".git").is_file():  # a submodule: its place in the superproject counts
            outer = find_repository_root(top.parent)
            if outer is None:
                break
            top = outer
        top = top or Path(os.path.abspath(self.base_dir))
        try:
            return top, directory.relative_to(top).parts
        except ValueError:  # outside the repository and the starting directory: judge nothing
            return None

    def _in_release(self, top: Path, parts: tuple[str, ...]) -> bool:
        """in_openresty_release, once per directory (asked for every finding's file and every directory judged)."""
        key = (top, parts)
        if key not in self._releases:
            self._releases[key] = in_openresty_release(top, parts)
        return self._releases[key]

    def _is_fixture(self, directory: Path) -> bool:
        found = self._place(directory)
        if found is None:
            return False
        top, parts = found
        if any(_holds(parts, pattern) for pattern in self.patterns):
            return True
        if is_source_tree_conf(directory) or self._in_release(top, parts):
            return True
        whole = self._whole.get(top)
        if whole is None:
            whole = self._whole[top] = bool(_DEMO_REPOSITORY.search(top.name)) or is_lua_library(top) \
                or is_local_development_environment(top)
        return whole


def in_test_suite(parts: tuple[str, ...]) -> bool:
    """The directories of a path (below its repository's top) are a test suite's: `tests/`, `spec/`, `e2e/` (not a
    CI job's, which may deploy)."""
    return any(_holds(parts, pattern) for pattern in TEST_DIRS if pattern not in CI_DIRS)


def _holds(parts: tuple[str, ...], pattern: str) -> bool:
    """A directory of the path matches the pattern (`tests`, `*-demo`), or consecutive ones do (`.github/workflows`:
    a CI job's files, not the `.github/docker/` an image is built from)."""
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part.lower(), pattern) for part in parts)
    steps = pattern.split("/")
    return any(all(fnmatch.fnmatchcase(part.lower(), step) for part, step in zip(parts[i:], steps))
               for i in range(len(parts) - len(steps) + 1))


def is_source_tree_conf(directory: Path) -> bool:
    """The `conf/` of nginx's own source tree (nginx, Tengine, a fork: `src/core/nginx.c` beside it): the stock
    configs `make install` copies for the builder to edit, nginx's defaults written out, not a site's config."""
    return directory.name == "conf" and (directory.parent / "src" / "core" / "nginx.c").is_file()


def in_openresty_release(top: Path, parts: tuple[str, ...]) -> bool:
    """A directory of an OpenResty source release kept in the repository (`configure` and `bundle/nginx-*` at its
    top): the release's own code and examples (the OPM server in bundle/opm-*), which the build never deploys."""
    for depth in range(len(parts) + 1):
        directory = top.joinpath(*parts[:depth])
        if (directory / "configure").is_file() and (directory / "bundle").is_dir() \
                and any(name.startswith("nginx-") for name in _names(directory / "bundle")):
            return True
    return False


def _names(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


# A rockspec's `build` table, and what in it installs more than Lua modules (commands, configs, whole directories).
_BUILD = re.compile(r"^[ \t]*build[ \t]*=\s*\{", re.M)  # [ \t]: a line start never scans past its own line
_MAIN_MODULE = re.compile(r"^[ \t]*main_module[ \t]*=", re.M)
_BUILTIN = re.compile(r"\btype\s*=\s*[\"']builtin[\"']")
_MODULE_ENTRY = re.compile(r"\bmodules\s*=\s*\{\s*[\[\"'\w]")
_INSTALLS_MORE = re.compile(r"\b(install|copy_directories|install_variables)\s*=")


def is_lua_library(top: Path) -> bool:
    """Whether the repository's product is a Lua library: a LuaRocks rockspec at its root (or in a `rockspec/`,
    `rockspecs/` directory there) whose builtin build installs Lua modules and nothing else, or an OPM package
    (`dist.ini` naming its `main_module`; OPM ships only Lua libraries), or a repository named `lua-resty-*` whose
    `lib/resty/` holds Lua modules. Its nginx configs are not in the package: they run the library for its
    developers."""
    for path in rockspecs(top):
        text = _read(path)
        build = _BUILD.search(text)
        if build is not None:
            table = text[build.end():]
            if _BUILTIN.search(table) and _MODULE_ENTRY.search(table) and not _INSTALLS_MORE.search(table):
                return True
    dist = top / "dist.ini"
    if dist.is_file() and _MAIN_MODULE.search(_read(dist)) is not None:
        return True
    return bool(_LIBRARY_NAME.search(top.name)) and _holds_resty_modules(top)


# A repository named as a lua-resty library (`lua-resty-mvc`), whose `lib/resty/` is the library whether or not a
# package manager publishes it
_LIBRARY_NAME = re.compile(r"(?:^|[+/])lua-resty-[\w.-]+$", re.IGNORECASE)


def rockspecs(top: Path) -> list[Path]:
    """The repository's rockspecs: at its root, or in the directory it keeps them in (`rockspec/`, `rockspecs/`)."""
    return sorted(top.glob("*.rockspec")) + sorted(top.glob("rockspec*/*.rockspec"))


def _holds_resty_modules(top: Path) -> bool:
    """`lib/resty/` holds Lua modules: the layout of a lua-resty library (OPM, LuaRocks)."""
    resty = top / "lib" / "resty"
    return resty.is_dir() and next(resty.rglob("*.lua"), None) is not None


def _holds_module_source(top: Path) -> bool:
    """The repository's product is an nginx module: its source, named as nginx's own modules are
    (`ngx_http_datadog_module.cpp`), at the top or in `src/`, or the build script `--add-module` runs (a `config`
    that sets `ngx_addon_name`) at the top or one directory below (`opentracing/config`)."""
    if any(next(directory.glob("ngx_*_module.c*"), None) is not None for directory in (top, top / "src")):
        return True
    return any(_is_module_build_script(path) for path in (top / "config", *top.glob("*/config")))


def _is_module_build_script(path: Path) -> bool:
    try:
        return path.is_file() and "ngx_addon_name" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


# The README's opening (title and first paragraphs, before its first section) calls the project a benchmark:
# "Open-source benchmark suite for cloud microservices", "X is a benchmark for …".
_BENCHMARK_OPENING = re.compile(
    r"\bbenchmark(?:ing)?[ \t]+(?:suite|harness|framework|toolkit|kit)\b"
    r"|\b(?:is|are)[ \t]+(?:a|an)[ \t]+(?:[\w-]+[ \t]+){0,3}benchmark\b", re.I)
_SPACES = re.compile(r"\s+")
_FIRST_SECTION = re.compile(r"^(?:##|[^\n]+\n-{3,}[ \t]*$)", re.M)
# Load generators a benchmark drives its services with: wrk, wrk2, Locust.
_LOAD_GENERATORS = frozenset({"wrk", "wrk2", "locust", "locustfile.py"})


def is_benchmark(top: Path) -> bool:
    """Whether the repository is a benchmark suite: its README opens by calling it one, and it holds a load generator
    (a `wrk`, `wrk2` or `locust` directory, a `locustfile.py`) at its top or one level below. Its stacks serve the
    load generator, not people."""
    opening = _readme_opening(top)
    return bool(opening and _BENCHMARK_OPENING.search(opening)) and _holds_load_generator(top)


def _readme_opening(top: Path) -> str:
    text = _readme(top)
    section = _FIRST_SECTION.search(text)
    return _SPACES.sub(" ", text[:section.start()] if section else text[:2000])


def _readme(top: Path) -> str:
    """The text of the repository's README, or ""."""
    return next((text for name in ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md")
                 if (text := _read(top / name))), "")


# The README's opening calls the project a developer's local environment ("VVV is a local developer environment,
# mainly aimed at WordPress developers"), or a demonstration ("This project demonstrates how to use Nginx with Lua
# scripting", "Base project demonstrating prometheus scraping"): its servers run on the developer's machine.
_LOCAL_DEVELOPMENT_OPENING = re.compile(
    r"\b(?:is|as) an? local (?:[\w-]+ )?(?:development|developer|dev) environment\b"
    r"|\b(?:this|the) (?:project|repository|repo) (?:demonstrates|shows) how to\b"
    r"|\b(?:project|repository|repo|example) (?:demonstrating|illustrating)\b", re.I)


# A README title that names a Docker setup for development ("Docker Devbox for Magento 2", "Drupal 8 Docker Compose
# Development"), and no production
_DEVELOPMENT_TITLE = re.compile(r"\bdev ?box\b|\b(?:docker|compose|vagrant)\b.*\bdevelopment\b"
                                r"|\bdevelopment\b.*\b(?:docker|compose|vagrant)\b", re.I)


def is_local_development_environment(top: Path) -> bool:
    """The README's opening or title calls the project a developer's local environment or a demonstration."""
    title = _readme_title(top)
    return bool(_LOCAL_DEVELOPMENT_OPENING.search(_readme_opening(top))) or \
        bool(_DEVELOPMENT_TITLE.search(title)) and "production" not in title.lower()


def _readme_title(top: Path) -> str:
    """The first line of the README with text, its heading marks left out."""
    return next((line.strip().lstrip("#").strip() for line in _readme(top)[:2000].split("\n") if line.strip()), "")


def _holds_load_generator(top: Path) -> bool:
    try:
        level = [top, *(top / name for name in os.listdir(top) if (top / name).is_dir())]
    except OSError:
        return False
    for directory in level:
        try:
            if not _LOAD_GENERATORS.isdisjoint(name.lower() for name in os.listdir(directory)):
                return True
        except OSError:
            continue
    return False


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
