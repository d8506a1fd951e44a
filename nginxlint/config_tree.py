"""One root config as nginx would load it: includes spliced in, every directive a Node with its context.

The tree is built once, iteratively (1,000 levels of nesting cost no recursion), indexed by directive name and
kept as one list in document order, so that every rule is linear in the size of the config and a rule that reads
every directive iterates a list instead of walking the tree again.
"""
from __future__ import annotations

import fnmatch
import os
import re
from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import Iterator

from .checks import load
from .findings import Finding, Location
from .gitignore import git_ignored
from .nginx.conf_dirs import CONF_PREFIXES, fragment_conf_dir
from .nginx.parser import Directive, blocks_around
from .nginx.placeholders import ACTIVATED_SUFFIXES, INSTALLER_TOKEN
from .nginx.templates import RENDERED_SUFFIXES
from .path_templates import rendered_elsewhere
from .script_writes import cloned_into, copied_from_directory, written_by_pattern, written_names

GLOB_CHARS = frozenset("*?[")


class Node:
    """A directive in its place in one deployment: `ctx` is the context it sits in, `via` the includes that led here."""

    __slots__ = ("d", "name", "args", "parent", "children", "ctx", "via", "_named")

    def __init__(self, d: Directive | None, parent: "Node | None", ctx: tuple, via: tuple = ()):
        self.d = d
        # the directive's name and arguments, copied once: rules read them hundreds of thousands of times
        self.name: str = d.name if d else ""
        self.args: list[str] = d.args if d else []
        self.parent = parent
        self.ctx = ctx
        self.via = via
        self.children: list[Node] | None = None
        self._named: dict[str, list[Node]] | None = None  # children by name, made by the first `find`

    @property
    def file(self):
        return self.d.file

    def find(self, name: str) -> list["Node"]:
        """Direct children called `name` (includes already spliced in), as a new list.

        The children are indexed by name on the first call (the tree is complete by then): rules ask each server
        for its listens, names and TLS settings again and again."""
        named = self._named
        if named is None:
            named = self._named = {}
            for child in self.children or ():
                named.setdefault(child.name, []).append(child)
        found = named.get(name)
        return found[:] if found else []

    def enclosing(self, name: str) -> "Node | None":
        node = self.parent
        while node is not None and node.d is not None:
            if node.d.name == name:
                return node
            node = node.parent
        return None

    def ancestors(self) -> Iterator["Node"]:
        node = self.parent
        while node is not None and node.d is not None:
            yield node
            node = node.parent

    def walk(self) -> Iterator["Node"]:
        """Every node below this one, in document order, without recursion."""
        stack = [iter(self.children or ())]
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                continue
            yield node
            if node.children:
                stack.append(iter(node.children))

    def location(self, message: str = "") -> Location:
        return Location(self.d.file.display, self.d.span, message)

    def __repr__(self) -> str:
        return f"<Node {self.name} {self.args} ctx={self.ctx}>"


class ConfigTree:
    """A root config, what it includes, and (filled in by later stages) its Lua and its container."""

    def __init__(self, root, start_ctx: tuple, prefix: Path, loader, settings, is_main: bool | None = None,
                 conf_dir: Path | None = None):
        self.root = root  # SourceFile of the main (or fragment) config
        self.start_ctx = start_ctx
        # A main config nginx is started with (not a fragment that happens to hold main-context directives)
        self.is_main = start_ctx == () if is_main is None else is_main
        self.prefix = prefix
        # nginx resolves relative includes against the main config's directory. For a fragment no root includes,
        # the caller names that directory when it knows the main config; else it is a guess (fragment_conf_dir),
        # and an include that finds nothing there is no finding (the fragment's real home is out of sight).
        self.conf_dir = conf_dir or (root.path.parent if self.is_main else fragment_conf_dir(root.path))
        self.conf_dir_known = self.is_main or conf_dir is not None
        self.loader = loader
        self.settings = settings
        self.main = Node(None, None, ())
        self.main.children = []
        self._macros: dict = {}  # SourceFile -> its Masked, for the templates that define Jinja macros
        self._macro_roots: dict = {}  # (SourceFile, macro's offsets) -> the root its body's directives hang from
        self.files: dict[str, object] = {root.display: root}
        # For a config held in a YAML file: its files as parsed, each the YAML text with only its entry left
        # (container/embedded.py), while `files` holds the YAML files themselves
        self.embedded_files: dict[str, object] = {}
        self.complete = True  # False once any file of the tree failed to parse or read
        # the same, except that templates count as read (their tags are masked, not missing), and so does a glob inside
        # a block that matches nothing (what it would hold cannot set a main-context directive such as `daemon`)
        self.all_read = True
        self.findings: list[Finding] = []  # NGX001/002/003/008 met while loading
        # (NGX002 finding, pattern) for each include that found nothing in the repository: the container that runs
        # it may put the file there (a COPY of a directory's contents next to nginx.conf, a file copied or
        # mounted at the absolute path the include names)
        self.unresolved_includes: list[tuple[Finding, str]] = []
        # (include Node, its path beside the config) for each absolute include under nginx's conf directory whose
        # directory the config's directory does not have: out of view, unless the container shows it missing; with
        # None for one outside the conf directory, out of view unless the container puts a repository file there
        self.out_of_view_includes: list[tuple[Node, Path | None]] = []
        # glob includes whose directory also holds files a user activates by copying them into place
        # (`site.conf.example` beside `conf.d/*.conf`): what the deployment runs may hold more than the repository's
        self.activatable_includes: list[Node] = []
        self._unread_include_blocks: list[Node] = []  # blocks holding an include whose file could not be read
        self._unread = 0  # how many files could not be read so far
        # Every file of the tree was parsed and none hides directives behind template tags: each block read holds
        # all its directives, but for what includes add
        self.blocks_whole = True
        # No file failed to parse, and no template tag may render a server or an http block out of view (tags inside
        # a server, and conditionals whose every branch is in view, cannot add one)
        self.servers_whole = True
        # Every include written in the http block itself was read. An include elsewhere cannot add a server: the
        # http block is one, and a server holds no other server.
        self.http_includes_read = True
        self._unseen = 0  # files not read and globs that matched nothing, so far
        self.memo: dict = {}  # what several rules derive from this tree, derived once
        self.binding = None  # container.model.Binding: the container that runs this config, when known
        self.container_view = None  # container.view.ContainerView: what that container's filesystem holds
        # Runs in a container no manifest read describes (a ConfigMap of an unrendered Helm chart template, mounted
        # by a workload of the chart), or sits in an image whose container runs what a bind mount puts over it:
        # bound to none, its facts unknown.
        self.container_unknown = False
        # Why no container runs this config, when the repository shows it (a chart's ConfigMap nothing mounts)
        self.unmounted: str | None = None
        # For a config held in a ConfigMap (it runs in a pod): the namespaces the Kubernetes manifests in view use.
        self.pod_namespaces: frozenset[str] = frozenset()
        # The root's path in an image nginxlint cannot see, when only the config files are in view (an `nginx -T`
        # dump): the Lua files and modules are there, unseen, not missing.
        self.image_root: str | None = None
        # What `nginx -V` printed before such a dump ("nginx version: nginx/1.25.3"), when it did.
        self.version_output: str | None = None
        self._index: dict[str, list[Node]] = defaultdict(list)
        self._order: list[Node] = []  # every node, in document order (the order _expand makes them in)
        self._expand(root)

    # -- queries -------------------------------------------------------------------------------------------

    def nodes(self, name: str) -> list[Node]:
        """Every occurrence of a directive, in document order."""
        return self._index.get(name, [])

    def names(self) -> list[str]:
        """The name of every directive the tree holds, once each."""
        return list(self._index)

    def walk(self) -> Iterator[Node]:
        """Every node, in document order (the order of `main.walk()`), from the list made while building."""
        return iter(self._order)

    @property
    def all_servers_seen(self) -> bool:
        """Every server block of the http block is in view, with all its directives."""
        return self.servers_whole and self.http_includes_read

    def unread_include_blocks(self) -> list[Node]:
        """The blocks (the top of the tree as `self.main`) that hold an include nginxlint could not read: what it
        declares there (an allow list, an auth directive) is unknown."""
        return self._unread_include_blocks

    def unread_include_ids(self) -> frozenset[int]:
        """The ids of unread_include_blocks, to ask of one block: found once per tree."""
        if "unread-include-ids" not in self.memo:
            self.memo["unread-include-ids"] = frozenset(map(id, self._unread_include_blocks))
        return self.memo["unread-include-ids"]

    def main_directive(self, name: str) -> Node | None:
        """The first main-context directive `name` (where a duplicate's finding goes), or None."""
        for node in self.nodes(name):
            if node.ctx == ():
                return node
        return None

    @cached_property
    def lua(self):
        """The deployment's Lua units and their facts, built on first use so that plain nginx pays nothing."""
        from .openresty.units import collect_units  # the Lua analysis, only when a config runs Lua

        return collect_units(self)

    # -- building -------------------------------------------------------------------------------------------

    def _parse(self, source, ctx: tuple):
        """The file's tree, or None. A file that cannot be read or parsed makes the tree incomplete, and so does a
        template: what its tags render (a search path, a declaration, a whole branch) is unknown. Fill-in
        placeholders alone leave it complete: each is one value of a directive that is there. `ctx`: the context
        the file's directives are read in."""
        parsed = self.loader.parse(source)
        masked = self.loader.masked.get(source.display)
        if parsed is None or parsed.problem:
            self._not_read()
            self.blocks_whole = self.servers_whole = False
        elif masked is not None and masked.hides_directives:
            if masked.macros:
                self._macros[source] = masked
            self.complete = self.blocks_whole = False
            if self.servers_whole and _may_render_servers(masked, source, parsed, ctx):
                self.servers_whole = False
        return parsed

    def _expand(self, root) -> None:
        parsed = self._parse(root, self.start_ctx)
        if parsed is None:
            return
        index, order, macros = self._index, self._order, self._macros
        stack = [(iter(parsed.directives), self.main, self.start_ctx, (), frozenset({root.path}))]
        from .nginx.directives import context_of  # crossplane's directive table, built on first use

        while stack:
            # a frame is read to its end or to a block or include, which goes on the stack above what is left of it
            frame = stack.pop()
            directives, parent, ctx, via, chain = frame
            for d in directives:
                home = parent
                if macros and d.file in macros:
                    home = self._macro_root(d, parent, ctx)
                node = Node(d, home, ctx, via)
                home.children.append(node)
                order.append(node)
                index[d.name].append(node)
                if d.block is not None:
                    node.children = []
                    stack.append(frame)
                    stack.append((iter(d.block), node, context_of(ctx, d.name), via, chain))
                    break
                if d.name == "include" and len(d.args) == 1:
                    included = []
                    unread, unseen = self._unread, self._unseen
                    for target in self._resolve_include(node):
                        if target.path in chain:
                            self._cycle(node, target)
                            continue
                        child = self._parse(target, ctx)
                        if child is None:
                            continue
                        self.files[target.display] = target
                        included.append((iter(child.directives), home, ctx, via + (d,), chain | {target.path}))
                    if self._unread > unread:
                        self._unread_include_blocks.append(parent)
                    if self._unseen > unseen and ctx == ("http",):
                        self.http_includes_read = False
                    if included:
                        stack.append(frame)
                        stack.extend(reversed(included))
                        break

    def _macro_root(self, d, parent: Node, ctx: tuple) -> Node:
        """Where a directive of a file with Jinja macros hangs: a macro's body is output where the macro is called,
        so the directives at its top hang from a root of their own (one per macro), and inherit nothing from the
        blocks around the definition, nor give them anything (a macro's `allow` lines are no http-level rules)."""
        macro = self._macros[d.file].macro_holding(d.start)
        if macro is None or parent.d is not None and parent.d.file is d.file and macro[0] <= parent.d.start < macro[1]:
            return parent
        key = (d.file, macro)
        root = self._macro_roots.get(key)
        if root is None:
            root = self._macro_roots[key] = Node(None, None, ctx)
            root.children = []
        return root

    def missing_include(self, node: Node, looked_for: Path) -> Finding:
        """NGX002 on an include whose file is not where nginx opens it."""
        finding = load.include_not_found(node.file.display, node.d.arg_span(0), node.args[0],
                                         self.loader.display(looked_for), include_chain(node))
        self.findings.append(finding)
        return finding

    def note_out_of_view(self, node: Node) -> None:
        """A note for an absolute include nginxlint cannot read: nothing in view says what is there."""
        pattern = node.args[0]
        self.loader.note_outside_project(node.file.display, node.d.arg_span(0), f'include "{pattern}"',
                                         "what it declares", pattern)

    def _not_read(self) -> None:
        self.complete = self.all_read = False
        self._unread += 1
        self._unseen += 1

    def _cycle(self, node: Node, target) -> None:
        chain = " -> ".join([inc.file.display for inc in node.via] + [node.file.display, target.display])
        self.findings.append(load.include_cycle(node.file.display, node.d.arg_span(0), target.display, chain,
                                                include_chain(node)))

    def _resolve_include(self, node: Node) -> list:
        """The files an include reaches, following nginx: globs sorted, relative paths against the conf dir."""
        pattern = node.args[0]
        loader = self.loader
        # What an include that needs no finding reaches is the same for the next one: a large config includes the
        # same fastcgi_params from every server.
        known = loader.memo("include-targets")
        key = (self.conf_dir, pattern)
        if key in known:
            return list(known[key])
        display = node.file.display
        if os.path.isabs(pattern):
            mapped = self.loader.map_path(pattern, self.conf_dir)
            if mapped is None and _packaged_modules(node):
                # the distribution's `load_module` lines, unless the repository keeps that directory beside the
                # config (`modules/10_http_wallarm.conf`): then what it loads is read
                mapped = conf_dir_guess(pattern, self.conf_dir)
                if mapped is None or not loader.glob(str(mapped)):
                    known[key] = ()
                    return []
            if mapped is None:
                if os.path.basename(pattern) in self.loader.stock_files:
                    return []
                self._not_read()  # what the file declares is unknown: rules on absence stay quiet
                if GLOB_CHARS.intersection(pattern):  # a glob may match nothing, or what is made at run time
                    return []
                guess = conf_dir_guess(pattern, self.conf_dir)
                if guess is None:
                    # outside nginx's conf directory: the container may copy a repository file there (view.py says)
                    self.out_of_view_includes.append((node, None))
                elif self.conf_dir_known and display not in self.loader.masked:
                    # beside the config, in a directory the config's directory lacks: only an image nginxlint sees
                    # whole can show it missing (container/view.py settles it, or notes it as out of view)
                    self.out_of_view_includes.append((node, guess))
                return []
            if os.path.basename(pattern) in self.loader.stock_files and _another_programs_file(loader, mapped):
                known[key] = ()
                return []  # the system's mime.types beside the config (the image's /etc/mime.types): nginx has its own
            path = mapped
        elif INSTALLER_TOKEN.match(pattern):
            self._not_read()  # `PH_NGINX_CONF_TMPL_DIR/misc.tmpl`: an installer writes the directory in
            return []
        else:
            path = self.conf_dir / pattern
            if not GLOB_CHARS.intersection(pattern) and not loader.exists(path):
                path = self._in_linked_repository(pattern) or self._in_own_directory(pattern) or path
        if GLOB_CHARS.intersection(pattern):
            if _activatable(loader, path):
                self.activatable_includes.append(node)
            matches = loader.glob(str(path))
            if not matches and (own := self._in_own_directory(pattern)) is not None:
                path, matches = own, loader.glob(str(own))
            if not matches and not _packaged_modules(node):
                # valid nginx, and what a mount or a start script puts there at run time is out of sight
                self.complete = False
                self._unseen += 1
                self.all_read = self.all_read and node.ctx != ()  # only main-context files could set `daemon`
            return [f for f in (loader.source(Path(m)) for m in matches if not loader.is_dir(m)) if f]
        exists = loader.exists(path)
        source = loader.source(path) if exists else None
        if not exists:
            if os.path.basename(pattern) in self.loader.stock_files or _packaged_modules(node):
                known[key] = ()
                return []
            self._not_read()
            if not self.conf_dir_known or display in self.loader.masked:  # a template's includes may be rendered too
                return []
            if any(loader.exists(Path(f"{path}{suffix}")) for suffix in RENDERED_SUFFIXES):
                return []  # `x.conf.template` beside it: a start script renders x.conf before nginx starts
            top = loader.repository_top(self.conf_dir)
            if path.name in written_names(loader, top) or rendered_elsewhere(loader, node.file.path, path) \
                    or written_by_pattern(loader, top, f"include {pattern};") \
                    or copied_from_directory(loader, top, pattern) or cloned_into(loader, top, pattern):
                return []  # an installer or a start script writes it (`cat > …/conf/proxy.conf << EOF`, a loop over
                # the include lines, a copy of the repository directory holding it, a clone of another repository),
                # or renders a template there
            if git_ignored(loader, path):
                return []  # `configs/` in .gitignore: each deployment puts its own file there
            if self._beside_fragment(node, pattern):
                return []  # `conf.d/php.config` from a fragment beside php.config: its directory is installed there
            if _environment_variants(loader, path):
                return []  # `server-http.dev.conf` and `.prod.conf` beside it: a start script links the one it runs
            finding = self.missing_include(node, path)
            self.unresolved_includes.append((finding, pattern))  # the container may hold it (container/view.py)
            return []
        found = known[key] = (source,) if source else ()
        return list(found)

    def _in_linked_repository(self, pattern: str) -> Path | None:
        """`include mempool/production/nginx/http-basic.conf;` where the repository holds
        production/nginx/http-basic.conf: its installer links the repository into nginx's conf directory under a
        name of its own (`ln -s $REPO /etc/nginx/mempool`), so the rest of the path is the repository's."""
        parts = pattern.strip("/").split("/")
        if len(parts) < 3 or parts[0] in (".", ".."):
            return None
        candidate = self.loader.repository_top(self.conf_dir) / "/".join(parts[1:])
        return candidate if self.loader.exists(candidate) else None

    def _in_own_directory(self, pattern: str) -> Path | None:
        """A relative include the guessed conf directory lacks, beside a fragment kept in a directory of sites: the
        guess (the directory above, `fragment_conf_dir`) may be wrong where the fragment's own directory is the one
        installed as nginx's (`COPY conf.d/ /etc/nginx/`); what lies there is what nginx reads then."""
        own = self.root.path.parent
        if self.conf_dir_known or own == self.conf_dir:
            return None
        candidate = own / pattern
        found = self.loader.glob(str(candidate)) if GLOB_CHARS.intersection(pattern) else self.loader.exists(candidate)
        return candidate if found else None

    def _beside_fragment(self, node: Node, pattern: str) -> bool:
        """A fragment no main config includes names `file` or `dir/file`, and `file` lies beside it: the fragment's
        own directory is the one installed as nginx's (`COPY nginx/ /etc/nginx/`) or as `dir` (a Windows setup copying
        `nginx/` to `conf/conf.d`), not one to look for."""
        if self.is_main or node.file.path is None:
            return False
        return self.loader.exists(Path(node.file.path).parent / os.path.basename(pattern))


# Where a distribution's dynamic module packages put the one `load_module` line each (Fedora/RHEL's
# /usr/share/nginx/modules, Debian's /etc/nginx/modules-enabled, Alpine's /etc/nginx/modules), which the stock
# nginx.conf includes at its top.
# A module package's own file is named for its module (Debian's `50-mod-stream.conf`), in that directory or in
# `modules-enabled/` of the conf directory.
_PACKAGED_MODULES = re.compile(r"(?:/usr/share/nginx/modules|/etc/nginx/modules-enabled|/etc/nginx/modules|"
                               r"(?:\./)?modules-enabled)/(?:\*|\d+-mod-[\w.-]+)\.conf")


def _another_programs_file(loader, path: Path) -> bool:
    """A file named as one nginx ships (`mime.types`) whose content is another program's (the system's mime.types:
    a type, then its extensions)."""
    from .nginx.sniff import NOT_NGINX, classify  # the sniffer, only for a stock name found beside the config

    source = loader.source(path) if loader.exists(path) and not loader.is_dir(path) else None
    return source is not None and classify(source.text, source.display).kind == NOT_NGINX


# Words that name the environment a variant of a file is for (`server.dev.conf`, `site.production.conf`)
_ENVIRONMENTS = ("dev", "development", "prod", "production", "stage", "staging", "local", "test", "qa")


def _environment_variants(loader, path: Path) -> bool:
    """The missing include's directory holds variants of it for environments (`server-http.dev.conf`,
    `server-http.prod.conf` for `server-http.conf`): a start script links or copies the one its environment runs
    (`for f in conf.d/*"$suffix"; do ln -sf "$f" "${f%$suffix}.conf"; done`)."""
    stem, suffix = os.path.splitext(path.name)
    return any(loader.exists(path.with_name(f"{stem}.{environment}{suffix}")) for environment in _ENVIRONMENTS)


def _packaged_modules(node: Node) -> bool:
    """An include of the files that only load the distribution's modules: nothing a rule looks for is out of view."""
    return node.ctx == () and bool(_PACKAGED_MODULES.fullmatch(node.args[0]))


# The blocks a server is written in; a tag inside any other block (a server, a location, a map) cannot add one.
_HOLDING_SERVERS = frozenset({"http", "stream", "mail"})


def _may_render_servers(masked, source, parsed, ctx: tuple) -> bool:
    """Whether a template's tags may render a server (or a block holding servers) that is not in view: a tag that
    renders unknown lines, or a branch left out, standing outside every block but those holding servers, in a file
    read where servers may stand. A file embedded in a YAML text is one stretch of its lines: tags elsewhere in
    that text belong to other files."""
    if not _HOLDING_SERVERS.issuperset(ctx):
        return False
    first = len(source.text) - len(source.text.lstrip("\n")) + 1
    last = source.text.count("\n") + 1
    for position in masked.out_of_view():
        if first <= position[0] <= last and \
                all(block.name in _HOLDING_SERVERS for block in blocks_around(parsed.directives, position)):
            return True
    return False


def _activatable(loader, pattern: Path) -> bool:
    """Whether the directory of a glob include holds a file the glob would match once a user activates it
    (`api.conf.example` beside `*.conf`), once per pattern and run."""
    memo = loader.memo("activatable-includes")
    if pattern not in memo:
        names = loader.listing(pattern.parent)[1] if not GLOB_CHARS.intersection(str(pattern.parent)) else []
        memo[pattern] = any(name.endswith(suffix) and fnmatch.fnmatchcase(name[:-len(suffix)], pattern.name)
                            and not fnmatch.fnmatchcase(name, pattern.name)
                            for name in names for suffix in ACTIVATED_SUFFIXES)
    return memo[pattern]


def conf_dir_guess(absolute: str, conf_dir: Path) -> Path | None:
    """An absolute path under nginx's usual conf directories (/etc/nginx/, /usr/local/openresty/nginx/conf/...) as
    the same path beside the config, whose directory is taken for nginx's own."""
    for prefix in CONF_PREFIXES:
        if absolute.startswith(prefix):
            return conf_dir / absolute[len(prefix):].lstrip("/")
    return None


def include_chain(node: Node) -> tuple[Location, ...]:
    """Where a fragment was included from, innermost first, as related locations."""
    return tuple(
        Location(inc.file.display, inc.span, f"included from {inc.file.display}:{inc.span.line}", chain=True)
        for inc in reversed(node.via)
    )
