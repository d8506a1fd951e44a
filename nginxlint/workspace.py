"""From the paths a user gives to deployments: find the config files, read and parse each once, pick the roots."""
from __future__ import annotations

import fnmatch
import glob
import os
import posixpath
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import dump, sources
from .cache import Cache, default_directory
from .checks import load
from .config_tree import GLOB_CHARS, ConfigTree, conf_dir_guess
from .container.start_placeholders import line_edits_near, placeholders_near, wrapped_tokens_replaced
from .findings import Finding, Notification
from .nginx import templates
from .nginx.conf_dirs import CONF_PREFIXES, SITE_DIRECTORIES, fragment_conf_dir
from .nginx.conflicts import ours
from .nginx.parser import ParsedFile, SyntaxProblem, parse, walk_directives
from .nginx.sniff import classify
from .nginx.templates import Masked
from .repository import Fixtures, backup_kind, find_repository_root, in_test_suite, is_backup_copy
from .text import first_of

DEFAULT_INCLUDE = ("nginx.conf", "*.conf", "*.nginx", "conf.d/*", "sites-available/*", "sites-enabled/*", "*.template")
MANIFEST_PATTERNS = ("*.yaml", "*.yml")
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox"})
MAIN_ONLY_BLOCKS = frozenset({"http", "events", "stream", "mail"})
# http first: a fragment that fits both (a `server` of plain words) is an http one, as it most often is
INFERABLE_CONTEXTS = ((), ("http",), ("http", "server"), ("http", "location"), ("stream",), ("stream", "server"),
                      ("mail",), ("mail", "server"), ("events",))


@dataclass
class Workspace:
    trees: list[ConfigTree]
    manifests: list[Path]
    report_only: "Shown | None"  # the display paths reported; None reports every file
    loader: "Loader"
    explicit: tuple[Path, ...] = ()  # the files named on the command line
    dumps: tuple = ()  # dump.Dump: the `nginx -T` outputs named, their findings moved to the dump's lines after the rules
    test_data: frozenset = frozenset()  # display paths of fixture files no config includes (see _test_data)
    compose_templates: tuple[Path, ...] = ()  # templates of Compose files (`docker-compose.yml.j2`), not read
    dockerfiles: tuple[Path, ...] = ()  # the Dockerfiles found with the configs


class Loader:
    """One run's access to files: reads and parses each file once, reports each file-level problem (NGX001,
    NGX008) once, and holds the run's memos (`memo(name)`), so that no cache outlives the run."""

    def __init__(self, base_dir: Path, settings):
        from .nginx.directives import LUA_BLOCK_DIRECTIVES, STOCK_INCLUDE_FILES  # crossplane's directive table, built on first use

        self.base_dir = base_dir
        self.settings = settings
        self.lua_blocks = LUA_BLOCK_DIRECTIVES
        self.stock_files = STOCK_INCLUDE_FILES
        self.findings: list[Finding] = []
        # The overlay: texts that stand for files, read instead of the disk (standard input, a dump's files, fixes
        # applied in memory for `--diff`, an editor's unsaved buffers); a file in it exists even when the disk has
        # no such file yet.
        self.texts: dict[Path, str] = {}
        self.cache = Cache(None if settings.no_cache else default_directory())
        self._files: dict[Path, sources.SourceFile | str] = {}  # a file's text, or why it cannot be read
        self._checked: set[Path] = set()  # files read as nginx configs (counted, NGX008 when unreadable)
        self._parsed: dict[Path, ParsedFile | None] = {}
        self._memos: dict[str, dict] = {}
        self.notifications: list[Notification] = []  # what the run could not do: files skipped, templates masked
        self.masked: dict[str, Masked] = {}  # display path -> the template masking of a templated config
        self.start_edited: dict[str, frozenset[int]] = {}  # display path -> lines a start script deletes or rewrites
        self.skipped: dict[str, str] = {}  # display path -> why it is not linted as nginx
        # (display path, line, column) of each directive whose missing argument a template's renderer fills in
        self.template_slots: set[tuple[str, int, int]] = set()
        # files no config includes whose top-level blocks belong to different contexts (`location` and `upstream`):
        # collections of snippets to copy, each block into its own place (NGX005 is quiet on those blocks)
        self.snippet_collections: set[str] = set()

    def not_seen(self, display: str, span, message: str) -> None:
        """A note, once per place, for something the run could not read (an include outside the project)."""
        note = Notification("note", message, display, span)
        if note not in self.notifications:
            self.notifications.append(note)

    def note_outside_project(self, display: str, span, what: str, unchecked: str, target: str) -> None:
        """A note for an absolute path the run cannot read (an include, a Lua file of the image), with the path-map
        entry that would let it."""
        self.not_seen(display, span, f'{what} is outside the project, so {unchecked} is not checked; a path-map entry '
                      f'such as "{os.path.dirname(target)}/: <its directory in this repository>/" lets nginxlint '
                      'read it')

    def memo(self, name: str) -> dict:
        """A dict private to this run and one purpose (directory listings, Lua analyses, installed rocks...)."""
        memo = self._memos.get(name)
        if memo is None:  # (not setdefault: its empty dict would be made on every call, and rules call often)
            memo = self._memos[name] = {}
        return memo

    def files_under(self, top: Path) -> list[Path]:
        """Every file under `top` that git does not ignore (list_files), listed once per run: the scans of a
        repository (start scripts' sed tokens, env lines of templates, scripts naming configs) share it."""
        return self.once("files-under", top, lambda: list_files(top))

    def once(self, purpose: str, key, compute):
        """`compute()`, kept for this run under `purpose` and `key`: a scan of a repository is made once."""
        memo = self.memo(purpose)
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def repository_top(self, directory: Path) -> Path:
        """The top of the repository that holds `directory`, or the directory the run started in; found once per
        directory and run."""
        tops = self.memo("repository-top")
        top = tops.get(directory)
        if top is None:
            top = tops[directory] = find_repository_root(directory) or Path(self.base_dir).resolve()
        return top

    def display(self, path: Path) -> str:
        try:
            return Path(os.path.relpath(path, self.base_dir)).as_posix()
        except ValueError:  # another drive on Windows
            return Path(path).as_posix()

    def read(self, path: Path) -> sources.SourceFile | str:
        """A file of the project as a SourceFile, read once per run; why, as a string, when it cannot be read."""
        path = Path(os.path.abspath(path))
        hit = self._files.get(path)
        if hit is None:
            overlay = self.texts.get(path)
            through = self._through_link(path) if overlay is None else None
            if isinstance(through, OutOfView):
                hit = through
            else:
                try:
                    text, crlf = (overlay, False) if overlay is not None else \
                        sources.read_source_text(through or path)
                except sources.Unreadable as why:
                    hit = str(why)
                else:
                    hit = sources.SourceFile(path, self.display(path), text, crlf=crlf)
            self._files[path] = hit
        return hit

    def _through_link(self, path: Path) -> Path | OutOfView | None:
        """What a link of the repository to an absolute path stands for, where following it is not the answer
        (None: it is). A link into nginx's conf directory that is broken here, in a repository installed there
        (`caches-enabled/steam.conf -> /etc/nginx/caches-available/steam.conf`, cloned to /etc/nginx), is the same
        path below a directory above the link, within its repository, when that file exists. A link that leaves the
        repository (`modules-enabled/50-mod-mail.conf -> /usr/share/nginx/modules-available/mod-mail.conf`) names a
        file of the machine nginx runs on, not of the one nginxlint runs on: out of view."""
        if not os.path.islink(path):
            return None
        target = os.readlink(path)
        if not os.path.isabs(target):
            return None
        top = self.repository_top(path.parent)
        rest = next((target[len(prefix):] for prefix in CONF_PREFIXES if target.startswith(prefix)), None)
        if rest is not None:  # nginx's own conf directory: the repository installed there holds it, or it is broken
            if not rest or os.path.exists(path):
                return None
            for directory in (path.parent, *path.parent.parents):
                candidate = directory / rest
                if candidate.is_file() and not candidate.is_symlink():
                    return candidate
                rendered = next((template for suffix in templates.RENDERED_SUFFIXES
                                 if (template := candidate.with_name(candidate.name + suffix)).is_file()), None)
                if rendered is not None:  # `sites-available/centre.tpl`, which a start script renders into `centre`
                    return OutOfView(f"a link to {target}, rendered from {self.display(rendered)} when the container "
                                     "starts")
                if directory == top:
                    break
            return None
        inside = Path(os.path.normpath(target))
        if inside == top or top in inside.parents:
            return None
        return OutOfView(f"a link to {target}, a file of the machine the repository is installed on")

    def text(self, path: Path) -> str:
        """A file's text, from the overlay or else the disk (not kept: `read` keeps what the run lints);
        raises sources.Unreadable."""
        hit = self.texts.get(path)
        return hit if hit is not None else sources.read_text(path)

    def listing(self, directory: Path) -> tuple[list[str], list[str]]:
        """(sub-directories, files) of a directory, sorted, listed once per run; empty when it cannot be listed."""
        cache = self.memo("listings")
        hit = cache.get(directory)
        if hit is None:
            dirs: list[str] = []
            files: list[str] = []
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        try:
                            (dirs if entry.is_dir() else files).append(entry.name)
                        except OSError:
                            continue
            except OSError:
                pass
            hit = cache[directory] = (sorted(d for d in dirs if d not in SKIP_DIRS), sorted(files))
        return hit

    def files_below(self, top: Path):
        """(directory, file name) of every file under `top`, through the cached listings."""
        pending = [top]
        while pending:
            directory = pending.pop()
            subdirectories, files = self.listing(directory)
            pending.extend(directory / name for name in subdirectories)
            for name in files:
                yield directory, name

    def keep(self, path: Path, text: str) -> sources.SourceFile:
        """A file read elsewhere (a manifest, after a look at its text), now part of the run."""
        path = Path(os.path.abspath(path))
        source = self._files[path] = sources.SourceFile(path, self.display(path), text)
        return source

    def source(self, path: Path) -> sources.SourceFile | None:
        """A config file's source; NGX008 (once) when it cannot be read."""
        path = Path(os.path.abspath(path))
        hit = self.read(path)
        if path not in self._checked:
            self._checked.add(path)
            if isinstance(hit, OutOfView):
                self.not_seen(self.display(path), None, f"not read: {hit}")
            elif isinstance(hit, str):
                self.findings.append(load.unreadable(self.display(path), hit))
        return None if isinstance(hit, str) else hit


    def parse(self, source) -> ParsedFile | None:
        if source is None:
            return None
        if source.path in self._parsed:
            return self._parsed[source.path]
        text = source.text
        exact = not getattr(source, "crlf", False)  # nginx's buffer limits need the file's bytes
        # words a start script's `sed -i` fills in, and those a template's own renderer replaces
        placeholders = placeholders_near(self, source.path) | wrapped_tokens_replaced(self, source.path, text) \
            | templates.named_placeholders(text, source.path.name)
        edits = line_edits_near(self, source.path)
        if edits:
            from .container.start_edits import edited_lines  # only where start scripts edit configs

            if edited := edited_lines(text, source.path.name, edits):
                self.start_edited[source.display] = edited
        text, conflict = ours(text)  # a merge conflict left in: its checked-out side is read, once
        if conflict is not None:
            exact = False
        language = templates.detect(text, source.path.name, placeholders=placeholders)
        if language is not None:  # tags masked, every line and column kept: the rest is linted
            masked = templates.mask(text, language, placeholders=placeholders)
            self.masked[source.display] = masked
            self.notifications.append(Notification("note", masked.note, source.display))
            text = masked.text
            exact = False
        parsed = parse(text, source, self.lua_blocks, exact)
        if conflict is not None and parsed.problem is None:
            end = source.text.find("\n", conflict)
            parsed.problem = SyntaxProblem(
                "unresolved merge conflict: the `<<<<<<<`, `=======` and `>>>>>>>` lines of a merge are left in the "
                "file, and nginx stops at the first (unknown directive); the side before `=======` is checked",
                parsed.index.span(conflict, end if end >= 0 else len(source.text)))
        if parsed.problem and not _closes_an_unopened_block(parsed, text):
            self.findings.append(load.syntax_error(source.display, parsed.problem))
        self._parsed[source.path] = parsed
        return parsed

    # The file system as includes see it; a loader for files that exist only in a manifest overrides these.
    def exists(self, path: Path) -> bool:
        return os.path.lexists(path) or Path(os.path.abspath(path)) in self.texts

    def is_dir(self, path) -> bool:
        return os.path.isdir(path)

    def glob(self, pattern: str) -> list[str]:

        return sorted(glob.glob(pattern))

    def skip(self, path: Path, why: str) -> None:
        """A discovered file that is not an nginx config: not linted, its parse problems dropped, and said so."""
        display = self.display(path)
        self.skipped[display] = why
        self._parsed.pop(Path(os.path.abspath(path)), None)
        self.findings = [f for f in self.findings if f.path != display]
        masked = self.masked.get(display)
        if masked is not None:  # its template note says nothing now
            self.notifications = [n for n in self.notifications if not (n.path == display and n.message == masked.note)]
        self.notifications.append(Notification("note", f"not linted: {why}", display))

    def read_files(self) -> list:
        """Every file the run read and could read (configs, Lua, manifests, Dockerfiles), as SourceFiles."""
        return [hit for hit in self._files.values() if not isinstance(hit, str)]

    def parsed_files(self):
        return [(self._files[p], parsed) for p, parsed in self._parsed.items() if parsed is not None]

    def map_path(self, absolute: str, conf_dir: Path) -> Path | None:
        """An absolute path of the target machine as a path in the project, through `path-map` (longest first)."""
        for prefix, target in self.settings.path_map:
            if absolute == prefix.rstrip("/") or absolute.startswith(prefix if prefix.endswith("/") else prefix + "/"):
                rest = absolute[len(prefix):].lstrip("/")
                return target / rest if rest else target
        guess = conf_dir_guess(absolute, conf_dir)
        if guess is not None and conf_dir.name in SITE_DIRECTORIES and not self._in_view_of_guess(guess, conf_dir):
            # a conf directory taken as a directory of sites (a main config kept in conf.d/, beside bots.d/): the
            # directory above is the one that mirrors nginx's own (a fragment's guess is already that: fragment_conf_dir)
            conf_dir = conf_dir.parent
            guess = conf_dir_guess(absolute, conf_dir)
        return guess if guess is not None and self._in_view_of_guess(guess, conf_dir) else None

    def _in_view_of_guess(self, mapped: Path, conf_dir: Path) -> bool:
        """nginx's own conf directory taken for the config's directory is a guess that shows what that directory
        holds, not everything the machine puts under it: a subdirectory the config's directory does not have is
        filled out of view (another checkout, a package: x-waf clones itself into conf/x-waf/). Below a subdirectory
        it has, the repository is the whole picture (a missing `_listen/10.0.0.2/` beside `_listen/localhost/` is
        missing). A glob in the last component is in view: matching nothing there is valid nginx."""
        if GLOB_CHARS.intersection(mapped.name):
            return True
        parts = mapped.relative_to(conf_dir).parts
        return len(parts) < 2 or self.is_dir(conf_dir / parts[0])


def _git_listed(directory: Path) -> list[Path] | None:
    """Files under `directory` that git does not ignore, or None outside a work tree."""
    try:
        result = subprocess.run(
            ["git", "-C", str(directory), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    # --cached still lists files deleted from the work tree
    return [directory / name for name in dict.fromkeys(names) if name and os.path.lexists(directory / name)]


def _walk(directory: Path) -> list[Path]:
    found = []
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        found.extend(Path(current) / name for name in files)
    return found


class OutOfView(str):
    """Why a file is not read: it is out of view (not unreadable, which NGX008 reports)."""


def list_files(directory: Path) -> list[Path]:
    """Every file under `directory` that git does not ignore (all of them outside a work tree), sorted."""
    listed = _git_listed(directory)
    return sorted(listed if listed is not None else _walk(directory))


def _matches(relative: str, patterns) -> bool:
    parts = relative.split("/")
    for pattern in patterns:
        depth = pattern.count("/") + 1
        if fnmatch.fnmatchcase("/".join(parts[-depth:]), pattern):
            return True
    return False


def discover(paths: list[Path], settings, named_templates: list[Path] | None = None,
             dockerfiles: list[Path] | None = None, compose_templates: list[Path] | None = None
             ) -> tuple[list[Path], list[Path], list[Path]]:
    """Config files, manifest files, and the files named explicitly on the command line. Files named as templates
    of configs (`nginx.conf.j2`) go to `named_templates`, Dockerfiles under the directories to `dockerfiles`,
    templates of Compose files (`docker-compose.yml.j2`) to `compose_templates`."""
    from .container.detect import is_chart_template, is_compose_path  # tests of names
    from .container.dockerfile import DOCKERFILE_NAMES  # a table of names

    include = tuple(settings.include or DEFAULT_INCLUDE)
    exclude = tuple(settings.exclude or ())
    configs: list[Path] = []
    manifests: list[Path] = []
    explicit: list[Path] = []
    for path in paths:
        if path.is_dir():
            samples: list[Path] = []
            scripts: list[Path] = []
            for file in list_files(path):
                relative = file.relative_to(path).as_posix()
                if exclude and _matches(relative, exclude):
                    continue
                is_dockerfile = _matches(file.name, DOCKERFILE_NAMES)
                if is_dockerfile:  # `Dockerfile.nginx` builds an image, nginx never reads it
                    if dockerfiles is not None:
                        dockerfiles.append(file)
                elif _matches(relative, include) and file.suffix != ".lua":  # Lua is reached through its configs
                    configs.append(file)
                elif _matches(relative, MANIFEST_PATTERNS) or is_chart_template(file):
                    manifests.append(file)
                elif relative.endswith(SAMPLE_SUFFIX) and _matches(relative[:-len(SAMPLE_SUFFIX)], include):
                    samples.append(file)
                elif named_templates is not None and (rendered := templates.template_name(relative)) is not None \
                        and _matches(rendered[0], include):
                    (configs if _without_tags_of_its_language(file) else named_templates).append(file)
                elif _nginx_mustache(file) or _site_without_suffix(file):
                    configs.append(file)
                elif named_templates is not None and _template_of_a_site(relative):
                    named_templates.append(file)  # noted when it holds nginx blocks (`roles/web/templates/site.j2`)
                elif compose_templates is not None and (rendered := templates.template_name(file.name)) is not None \
                        and is_compose_path(rendered[0]):
                    compose_templates.append(file)
                if is_dockerfile or _matches(relative, SCRIPT_PATTERNS):  # it may copy a sample into place
                    scripts.append(file)
            if samples:
                from .container.placed import copied_samples  # only for a repository that ships samples

                configs.extend(copied_samples(samples, scripts, SAMPLE_SUFFIX))
        else:
            explicit.append(path)
            if _matches(path.name, MANIFEST_PATTERNS) or is_chart_template(path):
                manifests.append(path)
            elif path.suffix != ".lua":  # Lua files are reached through their roots
                configs.append(path)
    return configs, manifests, explicit


def _without_tags_of_its_language(file: Path) -> bool:
    """A file named as a template (`default.conf.tpl`) whose text holds no tag of a template language, or only the
    `${VAR}` that envsubst fills in, and nginx blocks: the config a start script renders with envsubst (`envsubst
    '${DOMAIN}' < default.conf.tpl > conf.d/default.conf`) or copies as it is, linted as the nginx image's templates
    are. Not in a test suite's directory, whose harness renders its templates with values of its own."""
    top = find_repository_root(file.parent)
    if top is not None and in_test_suite(file.parent.relative_to(top).parts):
        return False  # a test harness's template, rendered by its own code
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return templates.holds_nginx_blocks(text) and templates.detect(text, file.name) in (None, "envsubst")


def _template_of_a_site(relative: str) -> bool:
    """A file named as a template of a file without a suffix (`templates/site.j2`, docker-gen's `nginx.tmpl`), as
    site files go (`sites-available/default`). Not a partial (`_helpers.tpl`, which a Helm chart's templates or Go
    templates call by name): it renders nothing of its own."""
    rendered = templates.template_name(relative)
    name = posixpath.basename(rendered[0]) if rendered is not None else ""
    return bool(name) and "." not in name and not name.startswith("_")


def _nginx_mustache(file: Path) -> bool:
    """A Mustache template named for what it renders into (`virtualconf.mustache`, not `nginx.conf.mustache`) that
    holds nginx blocks: a config whose tags are masked, as nothing else renders it in view."""
    if not file.name.endswith(".mustache"):
        return False
    try:
        return templates.holds_nginx_blocks(file.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return False


# A site file named for its domain (`static.media.ccc.de`, `nodejs.org`): top-level domains that are no file suffix
# too (`.sh`, `.py`, `.md`, `.pl`, `.rs`, `.in` are left out).
_DOMAIN_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|de|dev|app|info|edu|gov|uk|fr|eu|ch|nl|se|ru|cn|"
                          r"jp|me|co|us|ca|au|it|es|be|at|cz|tv|xyz|cloud|tech|site|online|fi|no|dk|br|nz|kr|tw|hk|sg|"
                          r"ie|pt|gr|ro|hu|sk|ua|lt|lv|ee|is|biz|space|host)")
# Where a site file goes without a suffix: Debian's `sites-available/default`, the `default` of linuxserver.io's
# `/defaults/`, an image's `assets/…/nginx/gitlab` that its entrypoint installs into sites-enabled/.
_SUFFIXLESS_SITE_DIRS = re.compile(r"nginx|openresty|site-confs|vhosts?|vhost\.d", re.IGNORECASE)
# The first statement of a site file there: a block nginx opens in http, or a directive's line; anywhere else, the
# opening of its server.
_SITE_START = re.compile(r"(?:server|upstream[ \t]+\S+|map[ \t][^{\n]*|geo[ \t][^{\n]*)[ \t]*\{[ \t]*(?:#.*)?$"
                         r"|[a-z_]+[ \t][^;{}\n]*;[ \t]*(?:#.*)?$")
_SERVER_START = re.compile(r"server[ \t]*\{[ \t]*(?:#.*)?")


def _site_without_suffix(file: Path) -> bool:
    """A file named without a suffix whose first statement opens a server, or, named for its domain or `default`
    or in a directory named for nginx or its sites, opens another block nginx takes in http or is a directive nginx
    knows; and that holds a block nginx opens: a site file (a shell script or another program's config starts
    otherwise)."""
    named_for_a_domain = "." in file.name
    if named_for_a_domain and not _DOMAIN_NAME.fullmatch(file.name):
        return False
    in_site_place = named_for_a_domain or file.name == "default" \
        or bool(_SUFFIXLESS_SITE_DIRS.search(file.parent.name))
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            text = handle.read(1 << 12)
            first = next((line.strip() for line in text.splitlines()
                          if line.strip() and not line.lstrip().startswith("#")), "")
            if not (_SITE_START if in_site_place else _SERVER_START).fullmatch(first):
                return False
            text += handle.read(1 << 18)
    except OSError:
        return False
    if first.endswith(";"):
        from .nginx.directives import is_known  # crossplane's table, built on first use

        if not is_known(first.split()[0]):
            return False
    return templates.holds_nginx_blocks(text)


# A config shipped under another name, that a start script or a Dockerfile copies into place at start:
# `cp /defaults/nginx/nginx.conf.sample /config/nginx/nginx.conf` (the linuxserver.io images; container.placed).
SAMPLE_SUFFIX = ".sample"
SCRIPT_PATTERNS = ("*.sh", "run", "up", "*entrypoint*")  # start scripts; Dockerfiles too, by DOCKERFILE_NAMES


def looks_main(parsed: ParsedFile, path: Path) -> bool:
    """A main config: it opens http/events/stream/mail, or it is called nginx.conf and holds what the main context
    takes (one directive at least). An nginx.conf of bare `server` blocks is the fragment an image's stock config includes (mounted or
    copied into conf.d/), not a main config missing its http block."""
    if any(d.name in MAIN_ONLY_BLOCKS for d in parsed.directives):
        return True
    # an nginx.conf of comments alone is no config nginx starts with (another program's drop-in, a placeholder)
    return path.name == "nginx.conf" and bool(parsed.directives) and infer_context(parsed) == ()


def infer_context(parsed: ParsedFile, path: Path | None = None) -> tuple:
    """The context in which the fewest top-level directives would be out of place (first wins a tie). Among those,
    the inside of a top-level `if` decides: `if (…) { add_header …; }` is a location's, since a server's `if` takes
    no add_header; then, unless the file sits in a directory nginx's layouts keep for http sites (`sites-enabled/`,
    `conf.d/`), the inside of top-level `server` and `upstream` blocks, which http and stream both take."""
    from .nginx.directives import check_directive, context_of  # crossplane's table, built on first use

    def misplaced(directives, ctx) -> int:
        return sum(1 for d in directives if (problem := check_directive(
            d.name, d.args, ctx, d.block is not None or d.lua is not None)) is not None and problem.code == "NGX005")

    if all(d.name != "rtmp" for d in parsed.directives) and any(_of_rtmp(d) for d in walk_directives(parsed.directives)):
        return _RTMP_APPLICATION
    servers = [d for d in parsed.directives if d.name == "server"]
    if servers and all(d.block is None and d.args for d in servers) and not misplaced(parsed.directives, _UPSTREAM):
        return _UPSTREAM  # `server 10.0.0.1:8080 weight=1;` lines: an upstream's list (an upsync dump, a pool file)
    in_http_directory = path is not None and not SITE_DIRECTORIES.isdisjoint(path.parts[:-1])
    inside = [d for d in parsed.directives if d.block and (d.name == "if" or d.name in _SHARED_BLOCKS)]
    best, best_misses = (), None
    for ctx in INFERABLE_CONTEXTS:
        misses = (misplaced(parsed.directives, ctx),
                  sum(misplaced(d.block, context_of(ctx, "if")) for d in inside if d.name == "if"),
                  0 if in_http_directory else sum(misplaced(d.block, context_of(ctx, d.name))
                                                  for d in inside if d.name != "if"))
        if best_misses is None or misses < best_misses:
            best, best_misses = ctx, misses
            if not any(misses):
                break
    return best


# nginx-rtmp's own directives and access lists (`live on;`, `push rtmp://…;`, `exec ffmpeg …;`, `allow publish …;`):
# a fragment that holds them goes into an rtmp `application` (a start script uncomments its include), whose
# directives nginxlint does not check, as in an rtmp block.
_RTMP_DIRECTIVES = frozenset({
    "application", "live", "record", "record_path", "record_suffix", "record_unique", "record_append",
    "record_interval", "record_max_size", "hls_path", "hls_fragment", "hls_playlist_length", "dash", "dash_path",
    "exec", "exec_push", "exec_pull", "exec_static", "exec_publish", "exec_play", "exec_publish_done",
    "exec_record_done", "on_publish", "on_play", "on_done", "on_publish_done", "on_play_done", "on_record_done",
    "on_connect", "push", "pull", "push_reconnect", "chunk_size", "wait_key", "wait_video", "drop_idle_publisher",
    "idle_streams", "publish_notify", "play_restart", "notify_method", "interleave", "meta"})
_RTMP_APPLICATION = ("rtmp", "server", "application")


def _of_rtmp(d) -> bool:
    return d.name in _RTMP_DIRECTIVES or d.name in ("allow", "deny") and d.args[:1] in (["publish"], ["play"])


# Blocks both http and stream take: what they hold tells which one a file of them is for (`server { proxy_pass
# unix:/tmp/vnc.sock; ssl_handshake_timeout 10s; }` is a stream server).
_SHARED_BLOCKS = ("server", "upstream")
_UPSTREAM = ("http", "upstream")


def is_snippet_collection(parsed: ParsedFile, ctx: tuple) -> bool:
    """The blocks at the file's top level belong to different contexts: every directive out of place in the
    context the file was given is a block that another context takes (`upstream` beside `location` blocks, in a
    file of examples to copy from). A plain directive out of place is a mistake, not a snippet."""
    from .nginx.directives import check_directive  # crossplane's table, built on first use

    def fits(d, context) -> bool:
        problem = check_directive(d.name, d.args, context, d.block is not None or d.lua is not None)
        return problem is None or problem.code != "NGX005"

    misplaced = [d for d in parsed.directives if not fits(d, ctx)]
    return bool(misplaced) and all(d.block is not None and any(fits(d, other) for other in INFERABLE_CONTEXTS)
                                   for d in misplaced)


def server_prefix(conf_path: Path, settings, loader: "Loader | None" = None) -> Path:
    """nginx's -p: the setting; else the `-p` of the command the repository starts nginx with for this config
    (start_prefix.py); else the parent of conf/ in the OpenResty layout, else the config's own directory."""
    if settings.prefix:
        return Path(settings.prefix)
    if loader is not None:
        from .start_prefix import start_prefix

        path = Path(os.path.abspath(conf_path))
        started = start_prefix(path, loader.repository_top(path.parent), loader.memo("start-commands"))
        if started is not None:
            return started
    directory = conf_path.parent
    return directory.parent if directory.name == "conf" else directory


ROOT_PLACES = ("nginx.conf", "conf/nginx.conf", "nginx/conf/nginx.conf")


def _ancestor_roots(file: Path, stop: Path) -> list[Path]:
    """Main configs near a passed file (a fragment, a Lua module, a manifest): the roots that may use it."""
    found = []
    for directory in [file.parent, *file.parent.parents]:
        for place in ROOT_PLACES:
            candidate = directory / place
            if candidate != file and candidate.is_file():
                found.append(candidate)
        if directory == stop or directory == directory.parent:
            break
    return found


def load_workspace(paths: list[Path], settings, base_dir: Path, stdin: tuple[Path, str] | None = None,
                   texts: dict[Path, str] | None = None) -> Workspace:
    """`texts`: absolute path -> text read instead of the file on disk (fixes applied in memory, an editor's buffer)."""
    loader = Loader(base_dir, settings)
    loader.texts.update(texts or {})
    if stdin is not None:
        loader.texts[Path(os.path.abspath(stdin[0]))] = stdin[1]
    named_templates: list[Path] = []
    dockerfiles: list[Path] = []
    compose_templates: list[Path] = []
    configs, manifests, explicit = discover(paths, settings, named_templates, dockerfiles, compose_templates)
    if stdin is not None:
        configs.append(stdin[0])
        explicit.append(stdin[0])
    dumps, dump_trees, taken = _dumps(explicit, loader, settings)
    if taken:  # a dump is the whole config of its server: no repository around it, no ancestors
        configs = [p for p in configs if Path(os.path.abspath(p)) not in taken]
        explicit = [p for p in explicit if Path(os.path.abspath(p)) not in taken]
    # A file named alone, or a directory inside a repository, is linted in its repository, as a run over the whole
    # repository would lint it (the same roots, includes, manifests and Dockerfiles), and only what concerns it is
    # reported: one answer either way.
    inner = _inner_directories(paths)
    if explicit or inner:
        more_configs, more_manifests, _ = discover(_repositories(explicit, inner), settings, named_templates,
                                                   dockerfiles, compose_templates)
        for found in (named_templates, dockerfiles, compose_templates):  # a directory named inside the repository
            found[:] = _first_of_each(found)  # gave them once already
        configs = list(dict.fromkeys([*configs, *more_configs]))
        manifests = list(dict.fromkeys([*manifests, *more_manifests]))
    if manifests or dockerfiles:  # a file mounted or copied at an nginx config path is a config, whatever its name
        from .container.placed import placed_configs  # the Compose and Dockerfile readers, only when there are some

        configs.extend(placed_configs(loader, manifests, dockerfiles))
    configured_roots = [Path(r) for r in settings.roots or ()]
    candidates = list(dict.fromkeys(Path(os.path.abspath(p)) for p in [*configured_roots, *configs]))
    for file in explicit:
        for root in _ancestor_roots(Path(os.path.abspath(file)), base_dir):
            if root not in candidates:
                candidates.append(root)
    scoped = list(inner)  # directories named whose run reads more than they hold: only what is under them is reported
    # Outside a repository, a directory named gets the main configs above it, as each of its files would alone.
    for directory in _outer_directories(paths, base_dir):
        above = [root for root in _ancestor_roots(directory, base_dir) if root not in candidates]
        if above:
            candidates.extend(above)
            scoped.append(directory)

    for file in explicit:  # a compiled library named on the command line (pre-commit passes a changed `.so`)
        path = Path(os.path.abspath(file))
        if path in candidates and _is_elf(path):
            candidates.remove(path)
            loader.skip(path, "an ELF binary (a compiled library or program), not an nginx config")
    named = {Path(os.path.abspath(p)) for p in [*explicit, *configured_roots]}
    for path in [p for p in candidates if p not in named and p.name != "nginx.conf"
                 and loader.read(p) == sources.BINARY and not _is_utf16(p)]:
        # found by its place or name (conf.d/GeoIP.dat, a program's pickled settings.conf): a data file; one a config
        # includes is NGX008, as are a broken nginx.conf and a config saved as UTF-16, which nginx cannot read either
        candidates.remove(path)
        loader.skip(path, "binary content (NUL bytes): a data file, not an nginx config")

    parsed = {path: loader.parse(loader.source(path)) for path in candidates}
    reached: set[Path] = set()
    trees: list[ConfigTree] = []

    def build(path: Path, ctx: tuple, is_main: bool, conf_dir: Path | None = None) -> None:
        source = loader.source(path)
        if source is None:
            return
        tree = ConfigTree(source, ctx, server_prefix(path, settings, loader), loader, settings, is_main, conf_dir)
        trees.append(tree)
        reached.update(f.path for f in tree.files.values())

    configured = {Path(os.path.abspath(r)) for r in configured_roots}
    foreign = _not_nginx(candidates, parsed, configured, loader, settings)
    mains = [path for path in candidates if parsed[path] is not None and path not in foreign
             and (path in configured or (not configured and looks_main(parsed[path], path)))]
    if not configured:
        mains += _including_mains([p for p in candidates if p not in foreign], parsed, set(mains))
    trees.extend(dump_trees)
    for path in mains:
        build(path, (), True)
    trees[:] = _without_included_mains(trees)
    leftovers = [p for p in candidates if p not in reached and parsed[p] is not None and p not in foreign]
    conf_dirs = {path: conf_dir_for(path, mains, settings, parsed) for path in leftovers}
    included_by_leftover = _literal_includes(leftovers, parsed, loader, conf_dirs)
    placed = {}
    if leftovers and dockerfiles and settings.context is None:
        from .container.placed import placed_contexts  # the image model, only for loose fragments beside a Dockerfile

        placed = placed_contexts(loader, dockerfiles, trees, leftovers)
    for path in leftovers:
        if path in reached or path in included_by_leftover:
            continue
        ctx = settings.context if settings.context is not None else \
            placed.get(path) or infer_context(parsed[path], path)
        if settings.context is None and path not in placed and is_snippet_collection(parsed[path], ctx):
            loader.snippet_collections.add(loader.display(path))
        build(path, ctx, False, conf_dirs[path])
    for path, why in foreign.items():
        if path not in reached:  # a file some config includes is linted there, whatever it looks like
            loader.skip(path, why)
    _skip_named_templates(named_templates, reached, loader)
    _template_slots(trees, loader)
    test_data = _test_data(trees, loader, Fixtures(settings.fixture_dirs, base_dir))
    _broken_test_data(trees, test_data, loader)

    report_only = None
    if explicit or scoped:
        shown_files = {loader.display(Path(os.path.abspath(p))) for p in explicit} | {d.display for d in dumps}
        directories = [loader.display(Path(os.path.abspath(p))) for p in paths if p.is_dir()]
        report_only = Shown(shown_files, directories)
    return Workspace(trees, manifests, report_only, loader, explicit=tuple(explicit), dumps=tuple(dumps),
                     test_data=test_data, compose_templates=tuple(compose_templates), dockerfiles=tuple(dockerfiles))


def _skip_named_templates(named: list[Path], reached: set[Path], loader: Loader) -> None:
    """A template of an nginx config that nothing includes (`nginx.conf.j2`, `site.conf.tmpl`) is not linted: one
    note says so. What nginx reads is the config it renders; the template named on the command line is linted
    with its tags masked."""
    for file in named:
        path = Path(os.path.abspath(file))
        try:
            if path in reached or not templates.holds_nginx_blocks(loader.text(path)):
                continue
        except sources.Unreadable:
            continue
        suffix = templates.template_name(path.name)[1]
        loader.skip(path, f"a template of an nginx config (`{suffix}`), the input of a renderer: lint the config it "
                    "renders, or name the template to lint it with its tags masked")


def _template_slots(trees: list[ConfigTree], loader: Loader) -> None:
    """A config named as a template (`.template.nginx.conf`, `site-template.conf`) that no config includes is
    rendered before nginx reads it: a directive that lacks one argument there (`server_name ;`, `listen ;`) is a slot
    its renderer fills in, not a config nginx refuses. The slots go to `loader.template_slots` (NGX006 is quiet
    there) and one note per file names them; the rest of the file is linted."""
    for tree in trees:
        root = tree.root
        if not templates.named_as_template(root.path.name) or root.display in loader.skipped:
            continue
        extra = frozenset(tree.settings.extra_directives)
        slots = [node for node in tree.walk() if node.d.file.path == root.path and _lacks_one_argument(node, extra)]
        if not slots:
            continue
        loader.template_slots.update((root.display, node.d.span.line, node.d.span.column) for node in slots)
        named = first_of([f"`{node.name}` at line {node.d.span.line}" for node in slots], 3)
        loader.notifications.append(Notification(
            "note", f"named as a template and included by no config: its renderer fills in the empty argument slots "
            f"({named}), so they are not reported; the rest is linted", root.display))


def _lacks_one_argument(node, extra: frozenset[str]) -> bool:
    """nginx would refuse the directive as written and accept it with one more argument."""
    from .nginx.directives import check_directive  # crossplane's table, built on first use

    d = node.d
    is_block = d.block is not None or d.lua is not None
    problem = check_directive(d.name, d.args, node.ctx, is_block, extra)
    return problem is not None and problem.code == "NGX006" and \
        check_directive(d.name, [*d.args, templates.UNKNOWN], node.ctx, is_block, extra) is None


def _test_data(trees: list[ConfigTree], loader: Loader, fixtures: Fixtures) -> frozenset[str]:
    """The files of a test suite's directories, of a directory of leftovers (`old/`), and the backup copies
    (`site.conf.bak`), that no config includes: files nginx never loads as they stand (a config cleaner's input cut
    short on purpose, a parser's error case, a cert-name parser's duplicate lines, yesterday's version of a site,
    an experiment kept for reference). A demo or an example is not: people start it, so what nginx would refuse
    there is still a finding."""
    included = {source.path for tree in trees for source in tree.files.values() if source.path != tree.root.path}
    return frozenset(tree.root.display for tree in trees
                     if tree.root.path not in included and tree.root.display not in loader.skipped
                     and (fixtures.test_suite(tree.root.display) or fixtures.kept_aside(tree.root.display)
                          or is_backup_copy(tree.root.display)))


def _broken_test_data(trees: list[ConfigTree], test_data: frozenset[str], loader: Loader) -> None:
    """Test data that does not parse: a warning notification at the error says it was not linted past there,
    instead of an NGX001 finding. What precedes the error is still linted; a file some config includes, or one
    outside the fixture directories, keeps its NGX001."""
    broken = set()
    for tree in trees:
        parsed = loader.parse(tree.root) if tree.root.display in test_data else None
        if parsed is None or parsed.problem is None:
            continue
        broken.add(tree.root.display)
        kind = backup_kind(tree.root.display) if is_backup_copy(tree.root.display) else \
            "test data: a file in a fixture directory"
        loader.notifications.append(Notification(
            "warning", f"not linted from here on: {parsed.problem.message} ({kind} that no config includes, so "
            "this is no NGX001 finding)", tree.root.display, parsed.problem.span))
    if broken:
        loader.findings = [f for f in loader.findings if not (f.code == "NGX001" and f.path in broken)]


def _including_mains(candidates: list[Path], parsed: dict, mains: set[Path]) -> list[Path]:
    """Configs that include a main-looking config at their top level (`include nginx-conf/http.conf;` of a file
    that opens `http {}`): only the main context takes that, so the including file is the one nginx starts with,
    and its includes resolve against its directory (`nginx -c gw.conf` of a file of include lines)."""
    found = []
    for path in candidates:
        if path in mains or parsed[path] is None:
            continue
        for d in parsed[path].directives:
            if d.name == "include" and d.args and not os.path.isabs(d.args[0]) \
                    and Path(os.path.abspath(path.parent / d.args[0])) in mains:
                found.append(path)
                break
    return found


def _without_included_mains(trees: list[ConfigTree]) -> list[ConfigTree]:
    """A main-looking config that another main config includes (a file of `stream {}` included at the top of
    nginx.conf, perhaps through a mount) is linted there, in its place, not as a deployment of its own."""
    including: dict[Path, list[ConfigTree]] = {}
    for tree in trees:
        for source in tree.files.values():
            if source.path != tree.root.path:
                including.setdefault(source.path, []).append(tree)
    kept = []
    for tree in trees:
        others = including.get(tree.root.path, ())
        if tree.is_main and others:
            own = {source.path for source in tree.files.values()}
            if any(other.root.path not in own for other in others):  # files including each other (NGX003) stay
                continue
        kept.append(tree)
    return kept


def _first_of_each(files: list[Path]) -> list[Path]:
    """The files in order, each file once however its path was written."""
    seen: set[str] = set()
    return [file for file in files if not (os.path.abspath(file) in seen or seen.add(os.path.abspath(file)))]


def _dumps(explicit: list[Path], loader: Loader, settings) -> tuple[list, list[ConfigTree], set[Path]]:
    """The named files that are `nginx -T` output (all of them with --dump), each as a tree of its own, and the
    paths taken as dumps (a file forced with --dump that holds none is said so, and not linted as a config)."""
    found, trees, taken = [], [], set()
    for path in dict.fromkeys(Path(os.path.abspath(p)) for p in explicit):  # a dump named twice is linted once
        if path.suffix == ".lua" or _matches(path.name, MANIFEST_PATTERNS):
            continue
        source = loader.read(path)
        if isinstance(source, str) or not (settings.dump or dump.is_dump(source.text)):
            continue  # an unreadable file stays a config candidate: NGX008 says why
        taken.add(path)
        files = dump.split_dump(source.text)
        if not files:
            loader.notifications.append(dump.not_a_dump(source))
            continue
        split, tree = dump.build_tree(loader, settings, source, files)
        found.append(split)
        trees.append(tree)
    return found, trees, taken


def _is_utf16(path: Path) -> bool:
    """A text saved as UTF-16 (its byte order mark), as Windows editors may: NUL bytes, but meant as a config."""
    return _first_bytes(path, 2) in (b"\xff\xfe", b"\xfe\xff")


def _is_elf(path: Path) -> bool:
    """An ELF binary (its four magic bytes): a compiled library or program."""
    return _first_bytes(path, 4) == b"\x7fELF"


def _first_bytes(path: Path, count: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(count)
    except OSError:
        return b""


def _not_nginx(candidates: list[Path], parsed: dict, configured: set[Path], loader: Loader, settings) -> dict:
    """Discovered files whose content is not an nginx config (an INI file, a Dockerfile template, Kong's
    `key = value` settings...), with what they look like instead. Configured roots are always nginx: whatever
    they hold, nginx reads them, and a broken one must never look clean. So is a file called nginx.conf, unless it
    plainly has another program's shape (supervisord's `[program:nginx]` file is often called so)."""
    extra = frozenset(settings.extra_directives)
    found = {}
    for path in candidates:
        tree = parsed[path]
        if tree is None or path in configured:
            continue
        source = loader.source(path)
        masked = loader.masked.get(source.display)
        verdict = classify(masked.text if masked else source.text, source.display, tree, extra)
        if verdict.kind == "not-nginx" and (path.name != "nginx.conf" or verdict.confidence >= 0.9):
            found[path] = verdict.reason
    return found


def _repositories(explicit: list[Path], inner: list[Path] = ()) -> list[Path]:
    """The repositories that hold files named one by one (pre-commit passes only the changed files) and
    directories named inside a repository."""
    starts = [Path(os.path.abspath(p)).parent for p in explicit] + list(inner)
    tops = dict.fromkeys(find_repository_root(start) for start in starts)
    return [top for top in tops if top is not None]


def _inner_directories(paths: list[Path]) -> list[Path]:
    """The directories named that lie inside a repository, below its root: what nginx reads with a config there
    (its main config, the manifest that mounts it) may be anywhere in the repository."""
    found = []
    for path in paths:
        if path.is_dir():
            directory = Path(os.path.abspath(path))
            top = find_repository_root(directory)
            if top is not None and top != directory:
                found.append(directory)
    return found


def _outer_directories(paths: list[Path], base_dir: Path) -> list[Path]:
    """The directories named that lie in no repository and not at or above the base directory."""
    base_dir = Path(os.path.abspath(base_dir))
    found = []
    for path in paths:
        if path.is_dir():
            directory = Path(os.path.abspath(path))
            if directory != base_dir and directory not in base_dir.parents and find_repository_root(directory) is None:
                found.append(directory)
    return found


class Shown:
    """The display paths a run reports when it reads more than it was given: the files named and everything
    under the directories named."""

    def __init__(self, files: set[str], directories: list[str]):
        self.files = files
        self.everything = "." in directories  # the base directory: every path shown that is not outside it
        self.prefixes = tuple(d.rstrip("/") + "/" for d in directories if d != ".")

    def __contains__(self, path) -> bool:
        if path is None:
            return False
        if path in self.files or path.startswith(self.prefixes):
            return True
        return self.everything and not (path.startswith("../") or os.path.isabs(path))


def conf_dir_for(fragment: Path, mains: list[Path], settings, parsed: dict | None = None) -> Path | None:
    """Where nginx would resolve a fragment's relative includes once a main config includes it: that main
    config's directory (the deepest main config above the fragment), else the `prefix` setting's conf/
    (nginx's default conf prefix); None when nothing says. A fragment in a `conf.d/` (any directory of sites)
    stands for what is mounted there when that main config includes such a directory that the repository does
    not hold beside it (`examples/conf.d/` of an image whose nginx.conf includes `conf/conf.d/*.conf`): the
    directory above its own is the conf directory then."""
    best = None
    for main in mains:
        directory = main.parent
        if directory in fragment.parents and (best is None or len(directory.parts) > len(best.parts)):
            best = directory
    if best is None and settings.prefix:
        prefix = Path(settings.prefix)
        best = prefix / "conf" if (prefix / "conf").is_dir() else prefix
    sites = fragment.parent
    if best is not None and parsed and sites.name in SITE_DIRECTORIES and sites.parent != best \
            and not (best / sites.name).is_dir() and _includes_directory(mains, best, parsed, sites.name):
        return sites.parent
    return best


def _includes_directory(mains: list[Path], conf_dir: Path, parsed: dict, name: str) -> bool:
    """A main config of that directory includes files of a directory so named (`include conf.d/*.conf;`)."""
    return any(d.name == "include" and d.args and name in d.args[0].split("/")[:-1]
               for main in mains if main.parent == conf_dir and parsed.get(main) is not None
               for d in walk_directives(parsed[main].directives))


def _literal_includes(paths: list[Path], parsed: dict, loader: Loader, conf_dirs: dict) -> set[Path]:
    """Files that a leftover fragment includes: they are not roots themselves. An absolute include counts where the
    fragment's tree would read it (a path-map entry, or nginx's conf directory taken for the config's)."""
    targets: set[Path] = set()
    for path in paths:
        base = conf_dirs[path] or fragment_conf_dir(path)
        # where the guess of the conf directory lacks a relative include, the fragment's own directory (as the tree)
        own = path.parent if conf_dirs[path] is None and path.parent != base else None
        for d in walk_directives(parsed[path].directives):
            if d.name == "include" and d.args:
                relative = not os.path.isabs(d.args[0])
                mapped = base / d.args[0] if relative else loader.map_path(d.args[0], base)
                if mapped is None:
                    continue
                matches = _include_matches(loader, mapped)
                if not matches and relative and own is not None:
                    matches = _include_matches(loader, own / d.args[0])
                targets.update(Path(os.path.abspath(m)) for m in matches)
    return targets


def _include_matches(loader: Loader, path: Path) -> list:
    """The files an include's path names: a glob's matches, or the path itself when it exists."""
    pattern = str(path)
    return loader.glob(pattern) if GLOB_CHARS.intersection(pattern) else [pattern] if loader.exists(path) else []


def _closes_an_unopened_block(parsed, text: str) -> bool:
    """The parse stopped at an unexpected `}` after which the file holds only closing braces and comments, and an
    earlier directive takes a block written without its `{` (`server`, then `listen 80;`): that `}` closes it, NGX006
    reports the `{` it lacks, and nothing is left unread."""
    from .nginx.directives import context_of, unopened_block

    problem = parsed.problem
    if problem.message != 'unexpected "}"':
        return False
    lines = text.split("\n")
    rest = [lines[problem.span.line - 1][problem.span.column - 1:], *lines[problem.span.line:]]
    if any(line.split("#", 1)[0].strip(" \t\r}") for line in rest):
        return False  # a directive follows, which the parse never reached
    top = () if any(d.name in ("http", "events", "stream") for d in parsed.directives) else ("http",)
    stack = [(d, top) for d in parsed.directives]
    while stack:
        d, ctx = stack.pop()
        if unopened_block(d, ctx):
            return True
        stack.extend((child, context_of(ctx, d.name)) for child in d.block or ())
    return False
