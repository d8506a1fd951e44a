"""CTR101–CTR112: what goes wrong when an nginx config runs in a container.

The container facts come from `tree.binding` (a container.model.Binding): a Kubernetes container, a Compose
service, a Dockerfile or the `runtime:` settings. Every rule here is registered with `needs="container"`: a config
that nothing shows to run in a container gets no container advice. Rules that compare with a limit or a security
context also stay quiet while that fact is unknown.
"""
from __future__ import annotations

import fnmatch
import math
import os
import posixpath
import re
from pathlib import Path

from ..container.quantity import format_bytes, parse_memory
from ..container.release import running_release
from ..findings import Fix, Location, Span
from ..nginx import edits
from ..nginx.listen import http_servers, server_listens
from ..nginx.placeholders import INSTALLER_TOKEN, is_stand_in_host
from ..nginx.templates import is_unknown
from ..nginx.urls import is_service_name, names_resolved_at_start
from ..nginx.values import nginx_seconds, parse_uint
from ..nginx.variables import assigned_values
from ..nginx.zones import CACHE_PATHS, shared_zones
from .registry import rule


def _limit_label(binding, what: str) -> str:
    if binding.source == "compose":
        return {"cpu": "cpus", "memory": "memory limit"}[what]
    if binding.source == "settings":
        return f"{what}-limit"
    return f"limits.{what}"


def _related(binding, value, message) -> list[Location]:
    location = binding.value_location(value, message)
    return [location] if location is not None else []


# -- CTR101, CTR102: worker count against the CPU limit ---------------------------------------------------------

@rule("CTR101", "CTR102", needs="container")
def check_worker_count(tree, report):
    """CTR101 (`worker_processes auto`) and CTR102 (more workers than the CPU limit): one read of the count."""
    if not tree.is_main:
        return
    node = tree.main_directive("worker_processes")
    if node is None or not node.args:
        return
    binding = tree.binding
    limit = binding.cpu_limit
    value = node.args[0]
    if value == "auto":
        if limit is None:
            return  # without a CPU limit the container may use every CPU of the node: `auto` counts them right
        workers = max(1, math.ceil(limit.value))
        label = f"{_limit_label(binding, 'cpu')} {limit.text or limit.value}"
        report(node, f"`worker_processes auto` starts one worker per CPU of the node, not per CPU of the container: "
               f"set `worker_processes {workers};` to match {label}{binding.where(limit)}",
               arg=0, code="CTR101", related=_related(binding, limit, "the container's CPU limit"),
               help=f"worker_processes {workers};",
               fix=Fix.of(f"Set `worker_processes {workers};`", edits.replace_arg(node.d, 0, str(workers))))
        return
    count = parse_uint(value)
    if limit is None or count is None:
        return
    workers = max(1, math.ceil(limit.value))
    if count > workers:
        label = f"{_limit_label(binding, 'cpu')} {limit.text or limit.value}"
        report(node, f"`worker_processes {value}` starts {value} workers, but {label}{binding.where(limit)} gives "
               f"them {workers} CPU{'s' if workers > 1 else ''}: set `worker_processes {workers};`",
               arg=0, code="CTR102", related=_related(binding, limit, "the container's CPU limit"),
               help=f"worker_processes {workers};",
               fix=Fix.of(f"Set `worker_processes {workers};`", edits.replace_arg(node.d, 0, str(workers))))


# -- CTR103: memory budget ---------------------------------------------------------------------------------------

def memory_zones(tree) -> list[tuple[str, str, int, object]]:
    """(label, size text, bytes, node) of each shared memory zone nginx would create, each name once."""
    found: dict[str, tuple] = {}
    for zone in shared_zones(tree):
        if zone.size_bytes and zone.name not in found:
            label = "upstream zone" if zone.kind == "zone" else zone.kind
            found[zone.name] = (f"{label} {zone.name}", zone.size_text, zone.size_bytes, zone.node)
    return list(found.values())


# What a worker holds, by default: one with an OpenResty application (a Lua VM, module tables, caches, buffers), and
# one of plain nginx (Debian's nginx 1.22 worker after 2,000 proxied requests: 4.4 MiB resident; the rest is room for
# its connections' buffers). A few lines of inline Lua add little: the same worker with a four-line
# header_filter_by_lua_block held 5.9 MiB after 2,000 requests.
LUA_WORKER = 50 * 1024**2
PLAIN_WORKER = 10 * 1024**2
# Inline Lua up to this many lines in all, requiring no module, is a few handlers' code, not an application
_FEW_LUA_LINES = 40
# Directives of an application's Lua: its shared dicts and where its modules are found
_APPLICATION_DIRECTIVES = ("lua_shared_dict", "lua_package_path", "lua_package_cpath")


def _runs_a_lua_application(tree) -> bool:
    """The config runs a Lua application: a shared dict, a module path, a Lua file, a module it requires, or more than
    a few dozen lines of inline code; not a few lines of header or log code."""
    from ..nginx.directives import LUA_PHASE  # crossplane's directive table, built on first use
    from ..openresty.phases import handler_code

    if any(tree.nodes(name) for name in _APPLICATION_DIRECTIVES):
        return True
    lines = 0
    for name in LUA_PHASE:
        for node in tree.nodes(name):
            code = handler_code(node) or ""
            if name.endswith("_file") or "require" in code:
                return True
            lines += code.strip().count("\n") + 1
    return lines > _FEW_LUA_LINES


@rule("CTR103", needs="container")
def memory_budget_exceeded(tree, report):
    binding = tree.binding
    if binding is None or binding.memory_limit is None or not tree.is_main:
        return

    limit = binding.memory_limit
    if not limit.value or limit.value <= 0:
        return
    openresty_application = _runs_a_lua_application(tree)
    per_worker = parse_memory(tree.settings.per_worker_memory or "") or \
        (LUA_WORKER if openresty_application else PLAIN_WORKER)
    master = parse_memory(tree.settings.master_memory) or 10 * 1024**2
    node = tree.main_directive("worker_processes")
    value = node.args[0] if node is not None and node.args else "1"
    count = parse_uint(value)
    if count is not None:
        workers, shown = count, value
    elif value == "auto" and binding.cpu_limit is not None:
        workers = max(1, math.ceil(binding.cpu_limit.value))
        shown = f"{workers} (auto, at least)"
    else:
        workers, shown = 1, "1"
    zones = memory_zones(tree)
    total = workers * per_worker + master + sum(size for _label, _text, size, _node in zones)
    ratio = total / limit.value
    if ratio < (0.8 if tree.settings.per_worker_memory else 1):
        return  # a budget near the limit is a warning only for a worker size the user gave: the default is a guess
    terms = [f"{shown} worker{'s' if workers != 1 else ''} × {format_bytes(per_worker)}"]
    terms += [f"{label} {text}" for label, text, _size, _node in zones]
    terms.append(f"master {format_bytes(master)}")
    label = f"{_limit_label(binding, 'memory')} {limit.text or format_bytes(limit.value)}"
    if ratio >= 1:
        message = (f"{' + '.join(terms)} = {format_bytes(total)} ≥ {label}: nginx will be OOM-killed once the "
                   "shared zones fill up; raise the limit or make the zones or the worker count smaller")
        severity = "error"
    else:
        message = (f"{' + '.join(terms)} = {format_bytes(total)}, {ratio:.0%} of {label}: little room is left "
                   "before an OOM kill")
        severity = "warning"
    related = [n.location(f"{label_} {text}") for label_, text, _size, n in zones]
    if node is not None:
        related.insert(0, node.location(f"{workers} worker{'s' if workers != 1 else ''}"))
    span = limit.span or limit.key_span
    if span is not None:
        report.at(binding.path, span, message, severity=severity, related=related)
    else:  # settings without positions: report on the config
        anchor = node or (zones[0][3] if zones else None) or (tree.main.children[0] if tree.main.children else None)
        if anchor is not None:
            report(anchor, message + binding.where(limit), severity=severity, related=related[1:] if node else related)


# -- CTR104: daemon -----------------------------------------------------------------------------------------------

_DAEMON_OFF = re.compile(r"daemon\s+(?i:off)\s*;")  # nginx reads on/off flags case-insensitively


def _start_command(binding) -> tuple[tuple[str, ...], tuple, str]:
    """(argv, spans, file they are in) the container starts with: the manifest's command/args, else what the
    built Dockerfile sets (an ENTRYPOINT or CMD there replaces the base image's command)."""
    container = binding.container
    argv, spans = container.argv, container.command_spans + container.args_spans
    build = container.build
    if argv or build is None or container.source == "dockerfile":
        return argv, spans, binding.path
    parts = [value for value in (build.entrypoint, build.cmd) if value is not None]
    return build.argv, tuple(value.span for value in parts for _word in value.value), build.path


def daemon_off_on_command_line(binding):
    """(description, span, file) of the `-g 'daemon off;'` the container starts nginx with, or None."""
    container = binding.container
    argv, spans, path = _start_command(binding)
    for index, word in enumerate(argv):
        if _DAEMON_OFF.search(word) and ("-g" in word or (index > 0 and argv[index - 1] == "-g")):
            return f"the container command passes `-g '{_DAEMON_OFF.search(word).group(0)}'`", (
                spans[index] if index < len(spans) else None), path
    if not argv and binding.flavour is not None and _default_command_daemon_off(container.base_image):
        build = container.build
        if build is not None and build.base is not None:  # FROM names the image whose command runs
            return "the image's default command passes `-g 'daemon off;'`", build.base.span, build.path
        return "the image's default command passes `-g 'daemon off;'`", container.image_span, binding.path
    return None


def _started_by_its_renderer(tree) -> bool:
    """A config in the `${{NAME}}` syntax of Lapis and Kong is rendered and started by their own command (`lapis
    server`, `kong start`), which runs nginx on the rendered file with no `-g`, whatever the image's command is."""
    masked = tree.loader.masked.get(tree.root.display)
    return masked is not None and masked.language == "kong"


def _default_command_daemon_off(reference: str) -> bool:
    """The image's own default command passes `-g 'daemon off;'`: the official nginx and OpenResty images do; an
    image of another owner named nginx (`someone/nginx`, often its own start script running `nginx`) is unknown."""
    from ..container.base_images import base_image  # the image catalogue, only for a config with `daemon off;`

    return any(_DAEMON_OFF.search(word) for word in base_image(reference).cmd or ())


@rule("CTR104", needs="container")
def daemon_mode(tree, report):
    if not tree.is_main:
        return
    _started_in_background(tree, report)
    for node in tree.nodes("daemon"):
        if node.ctx != () or not node.args:
            continue
        flag = node.args[0].lower()  # ngx_conf_set_flag_slot compares with ngx_strcasecmp
        if flag == "on" and _main_process_after_nginx(tree) is None:
            report(node, f"`daemon {node.args[0]}` makes nginx fork into the background, so the container's main process exits "
                   "and the container stops: use `daemon off;` (or pass `-g 'daemon off;'`)", arg=0,
                   help="daemon off;", fix=Fix.of("Set `daemon off;`", edits.replace_arg(node.d, 0, "off")))
        elif flag == "off" and tree.binding.source != "settings" and not _started_by_its_renderer(tree):
            found = daemon_off_on_command_line(tree.binding)
            if found is None:
                continue
            what, span, where = found
            related = [Location(where, span, "-g 'daemon off;' on the command line")] if span else []
            report(node, f'`daemon off;` is set here and {what}{tree.binding.where(None) if not span else ""}: nginx '
                   'refuses to start with "daemon" directive is duplicate; remove this line',
                   related=[r for r in related if r],
                   fix=Fix.of("Remove `daemon off;`", edits.delete_directive(node.d)))


# Shell builtins that end a script's run quickly or wait on what it started: none is a program staying in front.
_NOT_A_SERVICE = frozenset({"wait", "exit", "true", "false", ":", "echo", "printf", "return", "set", "cd"})


def _main_process_after_nginx(tree):
    """The command the container's start runs after starting nginx and that stays in front as its main process (an
    `exec`, else the last command): another server (`uwsgi`, `gunicorn`, `php-fpm -F`, `node`, `supervisord`), for
    which nginx daemonizes on purpose. None when nginx is not started there, or when what follows is nginx, `tail
    -f` or `sleep` (kept in front only to keep the container up) or a shell builtin."""
    found = _start_of(tree)
    commands = found[0].commands if found is not None else ()
    index = next((i for i, command in enumerate(commands) if command.starts_nginx()), None)
    if index is None:
        return None
    after = [command for command in commands[index + 1:] if not (command.background or command.conditional)]
    front = next((command for command in after if command.exec_), after[-1] if after else None)
    if front is None or front.starts_nginx() or front.keeps_running() or front.program in _NOT_A_SERVICE \
            or front.words[0].startswith("$"):  # `exec "$@"`: the command handed over is judged elsewhere
        return None
    return front


def _start_of(tree):
    """(Start, file, where each command is) of the container's start, or None when it is not in view. `where`
    maps a command to its span: the argv word for a command line, the program word in a script's line."""
    return _start_from(tree, *_own_start_command(tree))


def _own_start_command(tree) -> tuple[tuple[str, ...], tuple, str]:
    """_start_command past the official image's entrypoint, which runs its scripts, then execs the command. A pod
    that pulls the image the project's own Dockerfile builds starts as that Dockerfile says."""
    binding = tree.binding
    argv, spans, path = _start_command(binding)
    image = _own_image(tree) if not argv and binding.container.build is None else None
    if image is not None and (image.entrypoint or image.cmd):
        argv, spans, path = (*(image.entrypoint or ()), *(image.cmd or ())), (), tree.loader.display(image.dockerfile)
    if binding.flavour == "nginx" and argv[:1] == ("/docker-entrypoint.sh",) and _script_file(tree, argv[0]) is None:
        return argv[1:], spans[1:], path  # the official image's script, not one the repository copies over it
    return argv, spans, path


def _own_image(tree):
    """The image of the project's own Dockerfile that the container runs (container view), or None."""
    files = tree.container_view.files if tree.container_view is not None else None
    return files.image if files is not None else None


def _start_from(tree, argv: tuple[str, ...], spans: tuple, path: str):
    from ..container.startup import argv_start, read_script, script_path, shell_text

    if not argv:
        return None  # the image's default command: the official images pass -g 'daemon off;'
    text = shell_text(argv)
    if text is not None:
        index = argv.index(text)
        span = spans[index] if index < len(spans) else None
        start = read_script(text, last_a_child=_sh_forks_every_command(tree, argv[0]))
        sole = start.commands[0].words if len(start.commands) == 1 else ()
        script = script_path(sole)
        if script is not None and _script_file(tree, script) is not None:
            return _start_from(tree, sole, (span,) * len(sole), path)  # `CMD /start.sh`: the script is the start
        return (start, path, lambda _command: span) if span is not None else None
    script = script_path(argv)
    if script is None:
        if posixpath.basename(argv[0]) not in ("nginx", "openresty") or not spans:
            return None
        return argv_start(argv), path, lambda _command: spans[0]
    found = _script_start(tree, script)
    rest = argv.index(script) + 1
    if found is not None and rest < len(argv):
        if _hands_over(found[0]):
            return _start_from(tree, argv[rest:], spans[rest:], path)  # the command the script execs is PID 1
        return (found[0].with_arguments(argv[rest:]), *found[1:])  # `"$@"` without exec: the shell waits on it
    return found


def _sh_forks_every_command(tree, shell: str) -> bool:
    """`sh -c` (a shell-form CMD is one) in an image whose /bin/sh is Debian's dash, which runs even the last
    command of the text as a child: the shell stays the container's first process."""
    from ..container.base_images import sh_keeps_the_last_command_a_child  # only for a container's start

    return posixpath.basename(shell) in ("sh", "dash") and \
        sh_keeps_the_last_command_a_child(tree.binding.container.base_image)


def _hands_over(start) -> bool:
    """The script ends with `exec "$@"` and starts no nginx itself: the container's command (the CMD after an
    ENTRYPOINT script) replaces it as the container's main process, and is what to judge."""
    last = start.commands[-1] if start.commands else None
    return last is not None and last.exec_ and last.words in (("$@",), ("${@}",)) and not last.conditional \
        and not any(command.starts_nginx() for command in start.commands)


def _script_start(tree, script: str):
    from ..container.startup import read_script

    local = _script_file(tree, script)
    source = tree.loader.read(local) if local is not None else None
    if source is None or isinstance(source, str):
        return None
    lines = source.text.split("\n")

    def where(command):
        text = lines[command.line - 1] if 0 < command.line <= len(lines) else ""
        found = re.search(r"(?<![\w/.-])\S*" + re.escape(command.words[0]) + r"(?![\w.-])", text)
        if found is None:
            return Span(command.line, 1, command.line, len(text) + 1)
        return Span(command.line, found.start() + 1, command.line, found.end() + 1)

    return read_script(source.text, script_file=True), source.display, where


def _code(text: str) -> str:
    """Shell text quoted for a message: in backticks, unless it holds some (`pwd`)."""
    return f'"{text}"' if "`" in text else f"`{text}`"


def _script_file(tree, script: str):
    """The repository file the container runs as its start script: what the Dockerfile copies there (read from
    the build's COPY lines, without the whole image), else what the container's files hold there."""
    from ..container.dockerfile_binding import copied_file

    binding = tree.binding
    build = binding.container.build
    workdir = binding.container.working_dir
    if not script.startswith("/"):
        base = workdir.value if workdir is not None else (build.copies[-1].workdir if build and build.copies else None)
        if not base and binding.container.base_image:
            from ..container.base_images import base_image  # the image facts table, only for a relative start script

            base = base_image(binding.container.base_image).workdir
        if not base:
            return None
        script = posixpath.join(base, script)
    script = posixpath.normpath(script)
    if binding.source == "dockerfile" and build is not None:
        return copied_file(build, Path(tree.loader.base_dir) / posixpath.dirname(build.path), script)
    view = tree.container_view
    found = view.where(script) if view is not None else None
    return found if isinstance(found, Path) and found.is_file() else None


def background_start(tree):
    """(nginx's command, the commands after it, file, where) when the container's start leaves nginx in the
    background (it daemonizes, or `&`), else None. A config that says `daemon` is judged by that line instead.
    Read once per tree: CTR104 reports it, CTR110 leaves such a container to CTR104."""
    if "background-start" not in tree.memo:
        tree.memo["background-start"] = _background_start(tree)
    return tree.memo["background-start"]


def _background_start(tree):
    if not tree.all_read or tree.binding.source == "settings" or tree.nodes("daemon") \
            or any(is_unknown(node.name) for node in tree.main.children):
        return None  # a file not read, or a template tag where a directive (`daemon off;`) may be rendered
    build = tree.binding.container.build
    if build is not None and any(_DAEMON_OFF.search(text) for text in build.runs):
        return None  # a RUN writes it into a config (`echo "daemon off;" >> /etc/nginx/nginx.conf`)
    found = _start_of(tree)
    if found is None:
        return None
    start, path, where = found
    if start.traps:
        return None  # a trap may pass the stop signal on to nginx
    commands = start.commands
    index = next((i for i, command in enumerate(commands) if command.starts_nginx()), None)
    if index is None or commands[index].conditional:
        return None
    nginx = commands[index]
    if not _left_in_background(nginx):
        return None
    return nginx, commands[index + 1:], path, where


def _left_in_background(command) -> bool:
    """The command runs nginx behind `&`, or lets it daemonize (no `-g 'daemon off;'`)."""
    return command.background or not _daemon_off(command)


def _commands_after_nginx(tree) -> bool:
    """The container's start runs more commands after nginx (`nginx && tail -f /dev/null`), whether nginx daemonizes
    or a config out of view says `daemon off;`: a shell or the last command is the main process, never nginx."""
    found = _start_of(tree)
    if found is None:
        return False
    commands = found[0].commands
    index = next((i for i, command in enumerate(commands) if command.starts_nginx()), None)
    return index is not None and not commands[index].exec_ and index < len(commands) - 1


def _runs_beside_main_process(tree) -> bool:
    """The start script starts nginx in the background, in any branch, and goes on to another command (`nginx`
    then `yarn start`): that command is the container's main process, whose output the runtime collects."""
    found = _start_of(tree) if not tree.nodes("daemon") else None
    if found is None:
        return False
    return any(command.starts_nginx() and _left_in_background(command) for command in found[0].commands[:-1])


# Shell builtins that wait for a background job: the shell stays in front of it
_WAIT_FOR_JOBS = ("fg", "wait")


def _quoted(word: str) -> str:
    """A word of a command line as a shell needs it written again (`-g 'daemon off;'`)."""
    return f"'{word}'" if any(c in word for c in " \t;&|") and "'" not in word else word


def _started_in_background(tree, report):
    """nginx started in the background while another command stays the container's main process: the stop signal
    never reaches nginx."""
    found = background_start(tree)
    if found is None:
        return
    nginx, after, path, where = found
    how = ("runs in the background (`&`)" if nginx.background
           else "daemonizes (neither the configuration nor its command line says `daemon off;`)")
    # the last of them is the one the container ends on (`sleep 3` before a `fg` is a pause, not the keeper)
    keeper = next((c for c in reversed(after) if c.keeps_running() or c.program in _WAIT_FOR_JOBS), None)
    words = [_quoted(word) for word in nginx.words]
    shown = _code(" ".join(words))
    says_daemon_off = any(_DAEMON_OFF.search(word) for word in nginx.words)
    fix = _code(" ".join(("exec", *words, *(() if says_daemon_off else ("-g", "'daemon off;'")))))
    if keeper is not None and not keeper.conditional:
        command = _code(" ".join(keeper.words)) + (f" (line {keeper.line})" if keeper.line else "")
        if keeper.program in _WAIT_FOR_JOBS:
            main, what = "the script's shell", f"the script's shell waits for it with {command} and stays"
        else:
            main, what = f"`{keeper.program}`", f"{command} stays"
        report.at(path, where(nginx), f"{shown} {how}, and {what} the container's main process: the stop signal "
                  f"reaches {main}, never nginx, which is killed without draining when the grace period ends; start "
                  f"nginx last, in the foreground: {fix}",
                  related=[Location(path, where(keeper), "the container's main process")])
    elif not after and not nginx.background:
        report.at(path, where(nginx), f"{shown} {how}: the process the container started exits as soon as nginx "
                  f"has forked, and the container stops with it; run {fix}")


# -- CTR105: logs to files ----------------------------------------------------------------------------------------

# /proc/1/fd/N: the container's first process's own output, which the runtime collects as well
STREAM_TARGETS = ("stderr", "/dev/stdout", "/dev/stderr", "/proc/self/fd/1", "/proc/self/fd/2", "/proc/1/fd/1",
                  "/proc/1/fd/2", "/dev/fd/1", "/dev/fd/2", "off", "/dev/null")  # /dev/null: discards, no file to fill
# The official nginx image links /var/log/nginx/*.log, docker-openresty its prefix's logs/*.log, and Bitnami's
# nginx and OpenResty images (bitnami/containers, scripts/nginx/postunpack.sh and scripts/openresty/postunpack.sh)
# their logs directory's access.log and error.log.
LINKED_LOGS = ("/var/log/nginx/access.log", "/var/log/nginx/error.log",
               "/usr/local/openresty/nginx/logs/access.log", "/usr/local/openresty/nginx/logs/error.log",
               "/opt/bitnami/nginx/logs/access.log", "/opt/bitnami/nginx/logs/error.log",
               "/opt/bitnami/openresty/nginx/logs/access.log", "/opt/bitnami/openresty/nginx/logs/error.log")
# Without a known image, relative paths are taken under OpenResty's prefix, where logs/*.log are linked.
_UNKNOWN_IMAGE_PREFIX = "/usr/local/openresty/nginx"


def linked_to_stream(path: str, extra=(), prefix: str | None = None, images_links: bool = True) -> bool:
    """A path the image links to stdout/stderr (or a stream itself). Relative paths are under the server
    prefix (`-p`, else the image's), as nginx opens them. `images_links`: the nginx images' links (LINKED_LOGS)
    may be there; a distribution's nginx package makes none."""
    if path in STREAM_TARGETS or path.startswith(("syslog:", "memory:")):
        return True
    prefix = prefix or _UNKNOWN_IMAGE_PREFIX

    def absolute(text: str) -> str:
        return posixpath.normpath(text if text.startswith("/") else posixpath.join(prefix, text))

    return absolute(path) in {absolute(known) for known in (*(LINKED_LOGS if images_links else ()), *extra)}


def _on_a_distribution_image(tree) -> bool:
    """The container's image is a plain distribution's (Ubuntu, Debian, Alpine, CentOS…) that installs nginx as a
    package or runs an nginx of its own build (`CMD ["/usr/local/slardar/nginx/sbin/nginx", …]`), or a language's
    image (`php:8.3-fpm-alpine`) that installs the distribution's nginx package: it writes its logs to files, and no
    image of nginx's links them to the streams."""
    from ..container.dockerfile_binding import NGINX_PROGRAMS  # the image model, only for a config that logs to files
    from ..container.nginx_build import nginx_package
    from ..container.view import container_files

    files = container_files(tree)
    if files is None or files.image is None:
        return False
    if not files.base.distribution:
        return files.base.library and nginx_package(files.image) is not None
    argv = _start_words(tree.binding)
    return nginx_package(files.image) is not None or bool(argv) and posixpath.basename(argv[0]) in NGINX_PROGRAMS


_WHOLE_VARIABLE = re.compile(r"\$(?:\w+|\{\w+\})")


def _set_to_streams(tree, path: str, extra, prefix) -> bool:
    """The path is a variable (`access_log $blocked_log;`) to which every `set` and `map` of the config gives a
    stream (`set $blocked_log /dev/stdout;`): nginx opens that stream for each request."""
    if not _WHOLE_VARIABLE.fullmatch(path):
        return False
    values = assigned_values(tree).get("$" + path.strip("${}"))
    return bool(values) and all(value is not None and linked_to_stream(value, extra, prefix) for value in values)


def log_nodes(tree):
    for name in ("access_log", "error_log"):
        for node in tree.nodes(name):
            if node.args:
                yield node


def _in_volume(binding, path: str, prefix: str | None) -> bool:
    """The log file is in a volume (a mount, or a VOLUME of the image): it outlives the container and does not
    fill the container's own filesystem; someone chose to keep it there. A path with variables counts by the
    directory written before them (`/logs/$host-access.log` lies in /logs)."""
    if "$" in path:
        path = path[:path.index("$")].rpartition("/")[0]
        if not path:
            return False
    if not path.startswith("/"):
        if prefix is None:
            return False
        path = posixpath.join(prefix, path)
    path = posixpath.normpath(path)
    roots = [mount.path for mount in binding.container.mounts if mount.kind not in ("configMap", "config", "secret")]
    build = binding.container.build
    if build is not None and binding.container.source != "dockerfile":
        roots += [volume.value for volume in build.volumes]
    for root in roots:
        root = root.rstrip("/") or "/"
        if root != "/" and (path == root or path.startswith(root + "/")):
            return True
    return False


def _documented_mount_holds(tree, file: str) -> bool:
    """A mount the repository documents or scripts (`docker run -v $PWD:/app`, `-v /srv/log/app:/srv/log/app` in the
    config's start script) puts a host directory or a volume over a directory above the log file: the log lands
    there, kept outside the container."""
    from ..container.documented_mounts import documented_mounts  # only for a log written to a file

    return any(file == target or file.startswith(target.rstrip("/") + "/")
               for _source, target in documented_mounts(tree))


def _rotated(tree, file: str) -> bool:
    """A logrotate config of the repository rotates the file: the image keeps it on purpose, its size bounded."""
    from ..container.logrotate import rotated  # only for a log written to a file

    loader = tree.loader
    return rotated(loader, loader.repository_top(tree.root.path.parent), file)


def _log_file(path: str, prefix: str | None) -> str | None:
    """The log's absolute path in the container; None for a path with variables, or a relative one with no known
    prefix."""
    if "$" in path or not (path.startswith("/") or prefix):
        return None
    return posixpath.normpath(path if path.startswith("/") else posixpath.join(prefix, path))


def _below_a_link(file: str, links) -> bool:
    return any(file.startswith(link + "/") for link in links)


def _under_script_link(tree, file: str) -> bool:
    """A script of the repository links the log file, or a directory above it, elsewhere (`ln -sf
    /shared/logs/var-log /var/log`): where the log lands is out of sight."""
    if tree.root.path is None:
        return False  # a config read from standard input
    from ..container.script_links import script_links  # the repository's scripts are read only when a log is a file

    links = script_links(tree.loader, tree.root.path)
    return file in links or _below_a_link(file, links)


def _linked_by_image(tree, file: str) -> bool:
    """A RUN of the image that runs the config links the log file to a stream (`ln -sf /dev/stdout
    /var/log/nginx/app.access.log`), or links a directory above it elsewhere: where the log lands is then out of
    sight."""
    from ..container.view import container_files  # the image model, read only when a log is a file

    files = container_files(tree)
    image = files.image if files is not None else None
    if image is None:
        return False
    if file in image.links:
        return linked_to_stream(image.links[file])
    return any(map(linked_to_stream, image.argument_link_targets(file))) or _below_a_link(file, image.links)


# Where nginx packages and images put their logs (those of the linked logs among them): a RUN that makes one of
# these only restores the usual layout
_USUAL_LOG_DIRECTORIES = frozenset({posixpath.dirname(path) for path in LINKED_LOGS} | {
    "/var/log/openresty", "/usr/local/nginx/logs", "/etc/nginx/logs", "/usr/share/nginx/logs"})


# Directories every Linux image has, where a log file needs nothing made for it
_EVERYDAY_DIRECTORIES = frozenset({"/", "/tmp", "/var", "/var/tmp", "/var/log", "/run", "/var/run"})


def _log_directory_kept(tree, file: str, prefix: str | None) -> bool:
    """The log's directory is one the image keeps its logs in, by its own choice or out of view:

    - a RUN of the image makes it (`mkdir -p /var/log/api-gateway`, `mkdir logs` under the prefix the image runs
      nginx with), one of its own beside the usual ones: the image is built to keep its logs in files there, for
      whatever collects them;
    - nothing in view makes it (`/data/logs`, `/var/openresty_logs`) and the image's base is another team's, whose
      layers are out of view: nginx opens a log only where its directory exists, so that base (which may declare
      it a VOLUME), a start script or a mount made it, and where the log ends up is not known."""
    from ..container.view import container_files  # the image model, read only when a log is a file

    files = container_files(tree)
    directory = posixpath.dirname(file)
    if files is None or directory in _USUAL_LOG_DIRECTORIES:
        return False  # making a usual one only restores the layout nginx expects
    if files.image is not None and directory in files.image.made_dirs:
        return True
    if directory in _EVERYDAY_DIRECTORIES or prefix is not None and \
            directory in (prefix.rstrip("/"), posixpath.join(prefix, "logs")):
        return False
    base = files.base
    return not (base.official or base.distribution) and directory not in base.existing_dirs \
        and directory not in base.known_dirs  # a base whose layout is known makes nothing out of view


def _streamed_by_start(tree) -> frozenset[str]:
    """The files the container's start script follows with `tail -f`/`-F`, and the named pipes it makes with
    `mkfifo` (for a `cat` to copy them to its output): their lines reach the container's output, which is what the
    runtime collects."""
    from ..container.startup import init_wrapper_length  # the script reader, only for a config that logs to files

    binding = tree.binding
    argv, spans, path = _start_command(binding)
    skip = init_wrapper_length(argv)
    argv, spans = argv[skip:], spans[skip:]
    found = _start_from(tree, argv, spans, path)
    if found is None:
        return frozenset()
    return frozenset(word for command in found[0].commands
                     if command.program == "tail" and command.keeps_running() or command.program == "mkfifo"
                     for word in command.words[1:] if word.startswith("/"))


@rule("CTR105", needs="container")
def log_to_file(tree, report):
    if tree.binding.unread_manifest:
        return  # a manifest template may define the container, with a volume for its logs
    if _runs_beside_main_process(tree):
        return  # nginx runs beside the container's main process: its stdout is not the one the runtime collects
    if _under_supervisord(tree):
        return  # supervisord writes its programs' output to files of its own unless told otherwise, out of view
    extra = tuple(tree.settings.stdout_log_paths or ())
    prefix = tree.binding.server_prefix()
    images_links = not _on_a_distribution_image(tree)
    tailed = None
    variables: set[str] = set()  # the logs named by a variable alone: one file (or set of them), said once
    for node in log_nodes(tree):
        if _overridden_by_every_server(tree, node):
            continue  # no request is logged there
        path = node.args[0]
        if linked_to_stream(path, extra, prefix, images_links) or _in_volume(tree.binding, path, prefix) \
                or _set_to_streams(tree, path, extra, prefix) or path in variables or INSTALLER_TOKEN.match(path):
            continue  # (`VALET_HOME_PATH/Log/x.log`: an installer writes the path in, out of view)
        if _WHOLE_VARIABLE.fullmatch(path):
            variables.add(path)
        file = _log_file(path, prefix)
        if file is not None and (_under_script_link(tree, file) or _linked_by_image(tree, file)
                                 or _rotated(tree, file) or _documented_mount_holds(tree, file)
                                 or _log_directory_kept(tree, file, prefix)):
            continue
        tailed = _streamed_by_start(tree) if tailed is None else tailed
        if file in tailed:
            continue  # the start script streams the file to the container's output
        stream = "/dev/stdout" if node.d.name == "access_log" else "stderr"
        report(node, f"`{node.d.name}` writes to the file {path} inside the container, where logs are lost with the "
               f"container and fill its disk: log to `{stream}` and let the runtime collect them", arg=0,
               help=f"{node.d.name} {stream};",
               fix=Fix.of(f"Log to `{stream}`", edits.replace_arg(node.d, 0, stream)))


def _overridden_by_every_server(tree, node) -> bool:
    """An http-level `access_log` that every server of a whole config replaces with one of its own: nginx writes
    no request there."""
    if node.d.name != "access_log" or node.parent is None or node.parent.name != "http" \
            or not (tree.is_main and tree.complete):
        return False
    servers = http_servers(tree)
    return bool(servers) and all(server.find("access_log") for server in servers)


def _under_supervisord(tree) -> bool:
    """The container runs supervisord, directly or from its start script: nginx's stdout and stderr go where the
    `[program:nginx]` section says (`stdout_logfile`, a file in its log directory by default), not to the runtime.
    An init or a start script before it (`/sbin/tini -- supervisord -n`, `ENTRYPOINT ["/bin/ash", "entrypoint.sh"]`
    ending in `exec "$@"` with `CMD ["supervisord", "-n"]`) execs it, as supervised reads it for the stop signal."""
    if any(posixpath.basename(word) == "supervisord" for word in _start_words(tree.binding)):
        return True
    found = _start_of(tree)
    return found is not None and any(command.program == "supervisord" for command in found[0].commands)



# -- CTR106: read-only root -----------------------------------------------------------------------------------------

TEMP_DIRECTIVES = {
    "client_body_temp_path": ("client_body", None),
    "proxy_temp_path": ("proxy", "proxy_pass"),
    "fastcgi_temp_path": ("fastcgi", "fastcgi_pass"),
    "uwsgi_temp_path": ("uwsgi", "uwsgi_pass"),
    "scgi_temp_path": ("scgi", "scgi_pass"),
}
_OPENRESTY_RUN_TEMPS = {"client_body": "nginx-client-body", "proxy": "nginx-proxy", "fastcgi": "nginx-fastcgi",
                        "uwsgi": "nginx-uwsgi", "scgi": "nginx-scgi"}
_NGINX_TEMPS = {"client_body": "client_temp", "proxy": "proxy_temp", "fastcgi": "fastcgi_temp",
                "uwsgi": "uwsgi_temp", "scgi": "scgi_temp"}


def _openresty_version(image: str) -> tuple[int, ...] | None:
    match = re.search(r":([0-9]{1,9})\.([0-9]{1,9})\.([0-9]{1,9})(?:\.([0-9]{1,9}))?", image or "")
    return tuple(int(part) for part in match.groups() if part is not None) if match else None


def compiled_defaults(binding) -> dict[str, str]:
    """The image's compiled-in pid and temp paths ('pid', 'client_body', 'proxy', …), when the image is known: an
    nginx image of another publisher (`11notes/nginx`) may compile its own (`--pid-path=/nginx/run/nginx.pid`)."""
    from ..container.base_images import base_image  # the image tables, only once a read-only root is found

    image = (binding.container.image or "").lower()
    flavour = binding.flavour
    prefix = binding.server_prefix()
    if flavour == "nginx" and not base_image(binding.container.base_image).official:
        return {}
    if flavour == "nginx":
        if "unprivileged" in image:
            return {"pid": "/tmp/nginx.pid", **{kind: f"/tmp/{name}" for kind, name in _NGINX_TEMPS.items()}}
        return {"pid": "/var/run/nginx.pid", **{kind: f"/var/cache/nginx/{name}" for kind, name in _NGINX_TEMPS.items()}}
    if flavour == "openresty" and prefix:
        version = _openresty_version(image)
        defaults = {"pid": f"{prefix}/logs/nginx.pid"}
        if version is not None and version >= (1, 15, 8, 1):  # docker-openresty builds them under /var/run/openresty
            defaults.update({kind: f"/var/run/openresty/{name}" for kind, name in _OPENRESTY_RUN_TEMPS.items()})
        else:
            defaults.update({kind: f"{prefix}/{kind}_temp" for kind in _NGINX_TEMPS})
        return defaults
    return {}


@rule("CTR106", needs="container")
def read_only_root_write(tree, report):
    binding = tree.binding
    if binding is None or not binding.read_only_root or not tree.is_main:
        return
    prefix = binding.server_prefix()
    extra = tuple(tree.settings.stdout_log_paths or ())
    flag = binding.container.read_only_root
    flag_location = binding.value_location(flag, "readOnlyRootFilesystem")

    def absolute(path: str) -> str | None:
        if path.startswith("/"):
            return posixpath.normpath(path)
        return posixpath.normpath(posixpath.join(prefix, path)) if prefix else None

    def check(node, arg, path, what):
        target = absolute(path)
        if target is None or "$" in target or binding.writable_mount(target) is not None:
            return
        report(node, f"{what} {target} is on the read-only root filesystem{binding.where(flag)}: nginx fails with "
               f"(30: Read-only file system); mount {binding.writable_volume} there or move it under one",
               arg=arg, related=[flag_location] if flag_location else [])

    written = set()
    pid = tree.main_directive("pid")
    if pid is not None and pid.args:
        written.add("pid")
        check(pid, 0, pid.args[0], "the pid file")
    for name, (kind, _user) in TEMP_DIRECTIVES.items():
        for node in tree.nodes(name):
            if node.args:
                written.add(kind)
                check(node, 0, node.args[0], f"the {kind.replace('_', ' ')} temp directory")

    for name in CACHE_PATHS:
        for node in tree.nodes(name):
            if node.args:
                check(node, 0, node.args[0], "the cache directory")
    for node in log_nodes(tree):
        path = node.args[0]
        file = _log_file(path, prefix)
        if not linked_to_stream(path, extra, prefix) and not (file and _linked_by_image(tree, file)):
            check(node, 0, path, "the log file")
    for node in tree.nodes("lua_ssl_key_log"):
        if node.args:
            check(node, 0, node.args[0], "the TLS key log")

    span = (flag.span or flag.key_span) if flag is not None else None
    if span is None:
        return
    defaults = compiled_defaults(binding)
    needed = ["pid"]
    if tree.nodes("http"):
        needed.append("client_body")
    for _name, (kind, user) in TEMP_DIRECTIVES.items():
        if user and tree.nodes(user):
            needed.append(kind)
    for kind in needed:
        path = defaults.get(kind)
        if kind in written or path is None or binding.writable_mount(path) is not None:
            continue
        what = "pid file" if kind == "pid" else f"{kind.replace('_', ' ')} temp directory"
        directive = "pid" if kind == "pid" else f"{kind}_temp_path"
        report.at(binding.path, span,
                  f"with a read-only root filesystem nginx cannot write its {what} {path} (the image's compiled-in "
                  f"default, as `{directive}` is not set): mount {binding.writable_volume} at {posixpath.dirname(path)} or set "
                  f"`{directive}` under a writable mount")


# -- CTR107, CTR108: non-root -------------------------------------------------------------------------------------

@rule("CTR107", needs="container")
def privileged_port_non_root(tree, report):
    binding = tree.binding
    fact = binding.non_root() if binding is not None else None
    if fact is None:
        return
    related = _related(binding, fact, "the container runs as non-root")
    for server in http_servers(tree) + [n for n in tree.nodes("server") if n.children is not None and n.ctx[-1:] == ("stream",)]:
        for listen in server_listens(server, non_root=True):  # without `listen`: *:8000, never privileged
            if listen.port is None or listen.port >= 1024 or listen.port == 0:
                continue
            why = _bind_refused(binding, listen.port)
            if why is None:
                continue
            report(listen.node, f"port {listen.port} is below 1024, and the container runs as non-root"
                   f"{binding.where(fact)}: binding fails with (13: Permission denied) {why}; listen on a port "
                   "≥ 1024", arg=0, related=related)


def _bind_refused(binding, port: int) -> str | None:
    """Why a non-root process may not bind the port where the container runs, or None where it may or nothing
    says. Docker ≥ 20.10 gives each container's network namespace net.ipv4.ip_unprivileged_port_start=0 (and so
    does containerd ≥ 2.0); a pod's runtime is the node's, which may not (CRI-O, older containerd); the host's
    network namespace keeps the host's setting, 1024 by default."""
    container = binding.container
    start = container.unprivileged_port_start
    if container.host_network is not None and container.host_network.value is True:
        return (f"in the host's network namespace{binding.where(container.host_network)}, where "
                "net.ipv4.ip_unprivileged_port_start is the host's (1024 unless lowered)")
    if start is not None:
        return None if port >= start.value else (
            f"as net.ipv4.ip_unprivileged_port_start is {start.value}{binding.where(start)}")
    if container.source == "kubernetes":
        return ("unless the node's runtime lowers net.ipv4.ip_unprivileged_port_start (containerd ≥ 2.0 does, "
                "CRI-O and older containerd do not)")
    return None  # Docker, which runs Compose services and images alike, lets any process bind every port


@rule("CTR108", needs="container")
def user_directive_non_root(tree, report):
    binding = tree.binding
    fact = binding.non_root() if binding is not None else None
    node = tree.main_directive("user") if fact is not None else None
    if node is None:
        return
    report(node, f"`user` has no effect: the container runs as non-root{binding.where(fact)}, and nginx ignores "
           "`user` unless the master runs as root; remove it", related=_related(binding, fact, "non-root"),
           fix=Fix.of("Remove `user`", edits.delete_directive(node.d)))


# -- CTR109: open files ------------------------------------------------------------------------------------------

@rule("CTR109")
def worker_connections_exceed_nofile(tree, report):
    """worker_connections counts every connection of a worker, the upstream ones included, and each is one
    descriptor: the worker's open-file limit must be at least worker_connections (nginx warns below it, and
    refuses clients with EMFILE once a worker holds that many). An explicit `worker_rlimit_nofile` below it is
    wrong anywhere; no `worker_rlimit_nofile` with more than 1024 connections is wrong where containers start with
    a soft limit of 1024 (a container is known to run the config). A file that holds `worker_connections` at its
    top is an events fragment (`events { include …; }`)."""
    events_ctx = (("events",), ()) if not tree.is_main else (("events",),)
    rlimit = tree.main_directive("worker_rlimit_nofile")
    files = parse_uint(rlimit.args[0]) if rlimit is not None and rlimit.args else None
    nodes = [n for n in tree.nodes("worker_connections") if n.ctx in events_ctx and n.args]
    if not nodes and files is not None and tree.is_main and tree.complete and tree.nodes("events"):
        if files < 512:  # worker_connections defaults to 512
            report(rlimit, f"`worker_rlimit_nofile {files}` is below the default `worker_connections 512`: once a "
                   f"worker holds {files} descriptors, accept() fails with (24: Too many open files); set "
                   "`worker_rlimit_nofile 1024;` or more", arg=0, help="worker_rlimit_nofile 1024;",
                   fix=Fix.of("Set `worker_rlimit_nofile 1024;`", edits.replace_arg(rlimit.d, 0, "1024")))
        return
    for node in nodes:
        count = parse_uint(node.args[0])
        if count is None:
            continue
        if files is None:
            soft = _soft_nofile(tree)
            if soft is None or count <= soft.value or not tree.complete:
                continue  # the runtime's own limit depends on its version (see the rule's page); unread files
            message = (f"`worker_connections {count}` exceeds the soft open-file limit the container starts with "
                       f'({soft.value}){tree.binding.where(soft)}: nginx logs "{count} worker_connections exceed '
                       f'open file resource limit: {soft.value}" and, under load, accept() fails with (24: Too many '
                       f"open files) once a worker holds {soft.value} descriptors; set "
                       f"`worker_rlimit_nofile {2 * count};`")
            related = _related(tree.binding, soft, "the soft open-file limit")
        elif files < count:
            message = (f"`worker_rlimit_nofile {files}` is below `worker_connections {count}`: once a worker holds "
                       f"{files} descriptors, accept() fails with (24: Too many open files) and clients are refused "
                       f"below the connection count; set `worker_rlimit_nofile {2 * count};`")
            related = [rlimit.location("worker_rlimit_nofile")]
        else:
            continue
        line = f"worker_rlimit_nofile {2 * count};"
        if rlimit is not None:
            edit = edits.replace_arg(rlimit.d, 0, str(2 * count))
        else:  # a new line in the main context, before the events block
            events = node.parent if node.parent is not None and node.parent.ctx == () else None
            edit = edits.insert_before(events.d, line) if events is not None and events.d is not None else None
        report(node, message, arg=0, related=related, help=line, fix=Fix.of(f"Set `{line}`", edit))


def _soft_nofile(tree):
    """The soft open-file limit the manifest gives the container (Compose `ulimits: nofile`), or None. Without it
    the limit is the runtime's: 1024 under Docker Engine 29 with containerd 2, 1048576 before, and whatever the
    node's containerd or CRI-O hands down in Kubernetes."""
    binding = tree.binding
    if binding is None or binding.container is None:
        return None
    soft = binding.container.nofile_soft
    return soft if soft is not None and isinstance(soft.value, int) else None


# -- CTR110: graceful shutdown -----------------------------------------------------------------------------------

_QUIT_COMMAND = re.compile(r"(?:nginx|openresty)\b[^;&|]*\s-s\s+quit|kill\s+-(?:QUIT|3|s\s+QUIT)\b")
_SLEEP = re.compile(r"\bsleep\s+([0-9]+(?:\.[0-9]+)?)")
QUIT_SIGNALS = ("SIGQUIT", "QUIT", "3")


def _stop_terms(container) -> tuple[float, str, str, str]:
    """(default grace seconds, the setting's name, how the default reads, the fix for a non-graceful stop signal)
    in the words of the runtime that stops the container."""
    if container.source == "compose":
        return 10.0, "stop_grace_period", "10s (Docker's default)", "set `stop_signal: SIGQUIT` on the service"
    return (30.0, "terminationGracePeriodSeconds", "30s (the default)",
            "add a preStop hook that runs `nginx -s quit` (or stop with SIGQUIT)")


def _pre_stop(container) -> tuple[bool, float]:
    """(the preStop hook asks nginx to quit gracefully, seconds it sleeps first)."""
    hook = container.pre_stop
    if hook is None:
        return False, 0.0
    if hook.handler == "sleep":
        return False, hook.seconds or 0.0
    text = " ".join(hook.command or ())
    sleep = sum(float(s) for s in _SLEEP.findall(text))
    return bool(_QUIT_COMMAND.search(text)), sleep


def _quits_gracefully(binding, tree) -> bool | None:
    """Whether the container stops nginx with SIGQUIT (or a preStop `nginx -s quit`); None when not known."""
    from ..container.base_images import base_image  # the image facts table, only for a Compose or K8s container

    container = binding.container
    if _pre_stop(container)[0]:
        return True
    signal = container.effective_stop_signal  # the manifest's, else the built Dockerfile's STOPSIGNAL
    if signal is not None:
        return str(signal.value).upper() in QUIT_SIGNALS
    base = base_image(container.base_image)  # the official images' STOPSIGNAL, by version
    if base.stop_signal is not None:
        return base.stop_signal.upper() in QUIT_SIGNALS
    if base.flavour in ("nginx", "openresty"):
        return None  # a release that changed its STOPSIGNAL, built before or after: unknown
    if container.build is None:  # an image built elsewhere: known only when it is the project's own Dockerfile
        image = _own_image(tree)
        if image is None:
            return None  # perhaps built FROM nginx: its STOPSIGNAL is out of view
        if image.stop_signal is not None:
            return image.stop_signal.upper() in QUIT_SIGNALS
        if image.flavour in ("nginx", "openresty") or not image.base.keeps_runtime_stop_signal:
            return None  # its base, built elsewhere (`FROM …/ubi8/nginx-120`), may set a STOPSIGNAL of its own
        return False
    if not base.keeps_runtime_stop_signal:
        return None  # a base built elsewhere (`FROM ghcr.io/org/nginx`, itself perhaps FROM nginx): its STOPSIGNAL
    return False  # an image built here on a distribution's or a language's image keeps the runtime's default, SIGTERM


# Process supervisors as the container's first process: the stop signal reaches them, and they stop nginx with a
# signal of their own configuration (supervisord's stopsignal, an s6 service's down-signal), out of view here.
# And Kong's CLI (`kong start`, `kong docker-start`): it renders nginx's config and starts nginx, and Kong's image
# gives the stop signal for it (`kong quit` stops it gracefully); the Compose file's `stop_signal` is no fix there.
_SUPERVISORS = frozenset({"supervisord", "init", "s6-svscan", "runsvdir", "systemd", "runit", "kong"})
# Process managers whose name tells them wherever they stand in the command, after an init and entrypoint scripts
# that exec the rest (`tini -- /entrypoint.sh supervisord -n`, `/entrypoint forego start`): Procfile runners too.
_PROCESS_MANAGERS = frozenset({"supervisord", "s6-svscan", "runsvdir", "forego", "honcho", "overmind"})


def _start_words(binding) -> tuple[str, ...]:
    argv = _start_command(binding)[0]
    if argv[:1] and argv[0] in ("sh", "bash", "/bin/sh", "/bin/bash") and len(argv) >= 3 and argv[1] == "-c":
        argv = tuple(argv[2].split())
    return argv


def _start_program(binding) -> str | None:
    argv = _start_words(binding)
    return posixpath.basename(argv[0]) if argv else None


def supervised(binding) -> bool:
    """A supervisor or a Procfile runner starts nginx: it gets the stop signal and stops nginx its own way."""
    return _start_program(binding) in _SUPERVISORS or any(
        posixpath.basename(word) in _PROCESS_MANAGERS for word in _start_words(binding))


def _runs_nginx(binding) -> bool:
    """False when the container shows it does not run nginx: a Compose entry with neither image nor build (a
    partial service an override file adds to). (A development shell kept alive by `sleep` binds nothing.)"""
    container = binding.container
    return not (container.source == "compose" and not container.image and container.build_source is None)


_UPGRADE = re.compile(r"^(?:\$http_upgrade|\$connection_upgrade|upgrade)$", re.IGNORECASE)


def _long_lived(tree):
    """A WebSocket upgrade, whose connections stay open with no end of their own, or None: only such
    connections make a graceful stop drain for longer than the requests in flight take."""
    for node in tree.nodes("proxy_set_header"):
        if len(node.args) >= 2 and node.args[0].lower() in ("upgrade", "connection") and _UPGRADE.match(node.args[1]):
            return node, "A WebSocket upgrade"
    return None


def _stop_signal_elsewhere(tree) -> bool:
    """The container's start script puts something else between the stop signal and nginx. Either it execs a
    supervisor, which stops nginx its own way; or it runs nginx, a supervisor or, as its last command, another
    script in the foreground without `exec`, and stays the container's first process itself: PID 1 of a namespace
    gets only the signals it has a handler for, and a `trap` runs only once the foreground command has ended, so the
    stop signal never reaches nginx."""
    found = _start_of(tree)
    if found is None:
        return False
    start = found[0]
    supervisors = [c for c in start.commands if c.exec_ and c.program in _SUPERVISORS]
    if any(not c.conditional for c in supervisors):
        return True
    if supervisors and not any(c.starts_nginx() for c in start.commands):
        return True  # a branch of the script (`case $1 in server) exec supervisord`) starts the only nginx there is
    waited = start.waited_for()
    if waited and waited[-1] is start.commands[-1] and (waited[-1].program or "").endswith(".sh"):
        return True  # its last command, another script (`/sbin/run_nginx.sh`), runs as long as the container
    return any(c.starts_nginx() or c.program in _SUPERVISORS or _daemon_off(c) for c in waited)


def _shell_in_front(tree):
    """(nginx's command, file, span, whether a script file) when the container's start script, or a `sh -c` that
    forks its last command, runs nginx in the foreground without `exec`, with no supervisor or init in the way: the
    shell stays PID 1 and the stop signal never reaches nginx, a `trap` notwithstanding, as it runs only once the
    foreground command has ended (tests/oracle/test_container_oracle.py). None otherwise, or where the start is not
    in view."""
    from ..container.startup import init_wrapper_length  # the start reader, only for a container's start

    if init_wrapper_length(_own_start_command(tree)[0]):
        return None  # an init runs the script: how it passes signals on is its own
    if _pre_stop(tree.binding.container)[0]:
        return None  # a preStop hook asks nginx itself to quit
    found = _start_of(tree)
    if found is None:
        return None
    start, path, where = found
    if any(c.exec_ and c.program in _SUPERVISORS for c in start.commands):
        return None
    # in the foreground: `-g 'daemon off;'`, or the config nginx reads by default says so (else it daemonizes)
    stays = tree.is_main and any(node.args[:1] == ["off"] for node in tree.nodes("daemon"))
    waited = [c for c in start.waited_for() if _daemon_off(c) or c.starts_nginx() and stays and "-c" not in c.words]
    span = where(waited[-1]) if waited else None
    return (waited[-1], path, span, start.script_file) if span is not None else None


def _daemon_off(command) -> bool:
    """`${NGINX_BIN} -g "daemon off;"`: a program named by a variable, which only nginx's own option tells."""
    return any(_DAEMON_OFF.search(word) for word in command.words[1:])


def _start_script_unseen(tree) -> bool:
    """The container's command runs a script (`command: docker/ol-nginx-start.sh`) that nginxlint cannot find in
    the container's files: an image built elsewhere whose working directory it does not know, say."""
    from ..container.startup import script_path  # the start reader, only for a container's start

    script = script_path(_own_start_command(tree)[0])
    if script is None or script.startswith("/") and not script.endswith(".sh"):
        return False  # a program of the image (`/sbin/tini`, `/init`), not a script of the project
    return _script_file(tree, script) is None


def _start_unknown(tree) -> bool:
    """The container pulls an image built elsewhere whose start nothing in view says: no command in the manifest,
    not an official nginx or OpenResty image, no Dockerfile of the repository read as its build. Such images often
    start a supervisor (s6-overlay's /init) that stops nginx its own way."""
    from ..container.base_images import base_image  # the image facts table, only for a Compose or K8s container

    container = tree.binding.container
    return container.build is None and base_image(container.base_image).cmd is None and not _own_start_command(tree)[0]


@rule("CTR110", "CTR117", needs="container")
def check_shutdown(tree, report):
    """CTR110 (a stop that does not drain, a drain longer than the grace period) and CTR117 (WebSockets that hold a
    graceful stop until the kill, opt-in)."""
    binding = tree.binding
    if not _runs_nginx(binding) or supervised(binding) or background_start(tree) is not None:
        return  # no nginx here, a supervisor between the runtime and nginx, or a start CTR104 reports
    in_front = _shell_in_front(tree)
    if in_front is not None:  # the container's start, whichever of its configs is linted
        command, path, span, script_file = in_front
        runs = "the start script runs" if script_file else "the command's `sh -c` (Debian's dash) runs"
        from ..container.startup import shell_text  # the start reader, only for a shell in front of nginx

        # `${NGINX_BIN} -g "daemon off;"` is nginx; `/bin/bash -c "… && exec nginx …"` is the shell that runs it
        program = command.program if command.starts_nginx() or shell_text(tuple(command.words)) else "nginx"
        report.at(path, span, f"{runs} {program} without `exec`: the shell stays the container's first "
                  "process, which ignores the stop signal, so nginx never gets it and is killed with the requests "
                  "in flight when the grace period ends; write `exec` before it")
        return
    if not binding.from_manifest or not tree.is_main:
        return  # the stop signal and the grace period are the manifest's; the drain settings the main config's
    if _stop_signal_elsewhere(tree):
        return  # a supervisor gets the stop signal, or the start script's shell drops it: none makes nginx drain
    if _start_script_unseen(tree):
        return  # whether the script execs nginx, so that the stop signal reaches it at all, is out of view
    if _commands_after_nginx(tree):
        return  # the stop signal reaches the shell or the command after nginx, whatever it is (CTR104 says more)
    container = binding.container
    default_grace, grace_name, default_text, signal_fix = _stop_terms(container)
    grace_value = binding.facts.termination_grace_period
    grace = float(grace_value.value) if grace_value is not None else default_grace
    grace_text = f"{grace:g}s" if grace_value is not None else default_text
    sleep = _pre_stop(container)[1]
    timeout_node = tree.main_directive("worker_shutdown_timeout")
    span = container.name_span or container.span
    graceful = _quits_gracefully(binding, tree)
    if graceful is False and span is not None:
        signal = container.effective_stop_signal
        report.at(binding.path, span, f"container {container.name}: the container is stopped with "
                  f"{signal.value if signal else 'SIGTERM'}, which makes nginx drop requests in flight; {signal_fix}",
                  related=[Location(timeout_node.file.display, timeout_node.d.span, "worker_shutdown_timeout")]
                  if timeout_node is not None else [])
    # a drain that waits needs a graceful stop: not with SIGTERM (a fast stop drops the connections at once), and
    # unknown where a supervisor out of view may stop nginx its own way
    long_lived = _long_lived(tree) if timeout_node is None and graceful is not False \
        and not _start_unknown(tree) else None
    if long_lived is not None:
        node, what = long_lived
        report(node, f"{what} keeps its connections open if the upstream accepts the upgrade, and "
               f"`worker_shutdown_timeout` is not set: a graceful stop of container {container.name} waits for "
               f"them until it is killed at the {grace_text} grace period; set `worker_shutdown_timeout` below it "
               "in the main context", arg=1, code="CTR117",
               related=[r for r in [binding.location(span, f"container {container.name}")] if r])
    elif timeout_node is not None and timeout_node.args:
        timeout = nginx_seconds(timeout_node.args[0])
        if timeout is not None and timeout + sleep >= grace:
            slept = f" after the preStop hook's {sleep:g}s sleep" if sleep else ""
            report(timeout_node, f"`worker_shutdown_timeout {timeout_node.args[0]}`{slept} is not shorter than "
                   f"{grace_name} {grace_text}{binding.where(grace_value)}: the container is killed before "
                   f"nginx finishes draining; set it to at most {max(1, int(grace - sleep - 5))}s",
                   arg=0, related=_related(binding, grace_value, grace_name))


# -- CTR111: CPU affinity -----------------------------------------------------------------------------------------

@rule("CTR111", needs="container")
def cpu_affinity_in_container(tree, report):
    binding = tree.binding
    if not tree.is_main:
        return
    workers = tree.main_directive("worker_processes")
    workers_auto = workers is not None and workers.args[:1] == ["auto"]
    if binding.source == "compose" or binding.cpu_limit is None and workers_auto:
        # with no CPU limit the container runs on all the host's CPUs: one worker pinned to each, as in every such
        # container on the node. A Compose service is alone on its host as far as anything says, and its `cpus`
        # is a quota of CPU time, not a set of CPUs: it runs on every CPU of the host, pinned as on a plain install
        return
    node = tree.main_directive("worker_cpu_affinity")
    if node is not None:
        report(node, "`worker_cpu_affinity` pins workers to CPUs by their number on the host, which the container "
               "does not own: pods on one node all pin to CPUs 0..n, and inside a cpuset the call fails; remove it",
               arg=0 if node.args else None)


# -- CTR112: names resolved once ------------------------------------------------------------------------------------

UPSTREAM_RESOLVE_SINCE = (1, 27, 3)
# Names Docker Desktop and Podman give the machine that runs the container (Docker's `host-gateway`).
_HOST_GATEWAY_NAMES = frozenset({"host.docker.internal", "gateway.docker.internal", "host.containers.internal"})


def _stable_name(binding, host: str) -> bool:
    """In a pod, a Service name resolves to the Service's ClusterIP, which stays for the Service's lifetime;
    only pod names of a headless Service (`pod.service.namespace.svc…`) and outside names change. A name with
    one dot may be `service.namespace` (the pod's DNS search path tries that first): not known to change.
    In a Swarm stack, a service name resolves to the service's virtual IP, which stays likewise. A name the
    container's /etc/hosts pins (Compose `extra_hosts`, a pod's `hostAliases`) never changes, nor does the name
    of the machine that runs the container (`host.docker.internal`), nor the Compose service's own name (`server
    proxy:4443;` in the `proxy` service's config). An image seen
    alone may run in a pod as well as in Compose: a name of a Service's form is not known to change, unless a
    Compose file in view runs a service of that name, or a Compose template in view may."""
    name = host.lower().rstrip(".")
    if name in binding.container.pinned_hosts:
        return True  # the container's /etc/hosts gives it a fixed address (`extra_hosts`, `hostAliases`)
    if name in _HOST_GATEWAY_NAMES:
        return True  # the machine that runs the container: its address stays while the container runs
    if binding.source == "compose" and name == binding.facts.name.lower():
        return True  # the service that runs this nginx: recreating it restarts nginx, which looks the name up anew
    if binding.source == "kubernetes":
        return is_service_name(host)
    if binding.source == "dockerfile":
        services = binding.facts.compose_services
        return is_service_name(host) and services is not None and name not in services
    return name in binding.facts.stable_names


# A start command that reloads nginx in a loop: `while true; do sleep 10; nginx -s reload; done` (the sleep's
# number and unit are captured).
_RELOAD_LOOP = re.compile(r"\bwhile\b[^\n]*?\bsleep\s+(\d+)([smhd]?)\b[^\n]*?-s\s+reload\b")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
# A reload this often looks every name up again before anyone would reload by hand.
_FREQUENT_RELOAD = 300


def _reloaded_often(binding) -> bool:
    """The container's command reloads nginx at least every five minutes, which resolves every name anew."""
    found = _RELOAD_LOOP.search(" ".join(binding.container.argv))
    return found is not None and int(found.group(1)) * _UNIT_SECONDS[found.group(2)] <= _FREQUENT_RELOAD


@rule("CTR112", needs="surroundings")
def upstream_resolved_once(tree, report):
    if tree.binding.unread_manifest:
        return  # a manifest template may define the container, with the names pinned (`extra_hosts`)
    if _reloaded_often(tree.binding):
        return  # `while true; do sleep 10; nginx -s reload; done`: every reload looks the names up again
    # A fragment, or a tree with a part out of view, may use upstream blocks defined where it cannot see them.
    all_upstreams_known = tree.is_main and tree.complete
    in_file: dict[str, list] = {}  # one finding per file, at its first name: one fix (a resolver), one advice
    for name in names_resolved_at_start(tree):
        if name.may_name_upstream and not all_upstreams_known:
            continue  # `fastcgi_pass php-upstream;` may name an upstream block out of view
        if all_upstreams_known and _upstream_named_nowhere(tree, name.node):
            continue  # a server of an upstream block nothing sends to: nginx resolves it, and never uses it
        if _stable_name(tree.binding, name.host) or is_stand_in_host(name.host):
            continue  # a stand-in (`upstream example.com`) is replaced by the user's own host
        in_file.setdefault(name.node.file.display, []).append(name)
    running = running_release(tree) if in_file else None
    # `server … resolve` in an upstream came to open-source nginx in 1.27.3: not offered to an older release
    resolve_known = running is None or not running.release.predates(UPSTREAM_RESOLVE_SINCE)
    for uses in in_file.values():
        uses.sort(key=lambda use: (use.span.line, use.span.column))
        first, others = uses[0], uses[1:]
        hosts = list(dict.fromkeys(use.host.lower() for use in uses))
        lines = sorted({other.span.line for other in others if other.host.lower() == hosts[0]})
        used = f" (used on line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))} too)" if lines else ""
        more = f", and {len(hosts) - 1} other name{'s' if len(hosts) > 2 else ''} of this file," if len(hosts) > 1 \
            else ""
        fixes = "use a variable with `resolver`" + (
            ", or `server … resolve` in an upstream with a `zone`" if resolve_known else "")
        report(first.node, f'"{first.host}"{used}{more} {"are" if more else "is"} resolved once, when nginx starts: if '
               "the addresses change (a headless Service, a pod, an external name), nginx keeps sending to the old "
               f"ones until it is reloaded; {fixes}", span=first.span,
               related=[other.node.location(f'"{other.host}" resolved once too') for other in others])


def _upstream_named_nowhere(tree, node) -> bool:
    """A `server` line of an upstream block whose name no other directive of the whole config holds and no Lua it
    runs mentions (a variable's value may name it: `set $backend redis_backend;`, `ngx.var.backend = …`)."""
    upstream = node.parent if node.ctx[-1:] == ("upstream",) else None
    if upstream is None or not upstream.args:
        return False
    words = tree.memo.get("words-outside-upstream-names")
    if words is None:  # every word of the config but the upstream blocks' own names, and of its Lua: read once
        texts = [arg for other in tree.walk() for arg in (other.args[1:] if other.name == "upstream" else other.args)]
        texts += [unit.text or "" for unit in tree.lua.units]
        words = tree.memo["words-outside-upstream-names"] = frozenset(_WORD.findall("\n".join(texts)))
    return upstream.args[0] not in words


_WORD = re.compile(r"[\w.-]+")


# -- CTR118: a main config the image's nginx never reads ------------------------------------------------------------

@rule("CTR118", needs="container")
def main_config_not_read(tree, report):
    binding = tree.binding
    build = binding.container.build
    if tree.is_main and binding.container_path is not None and binding.how in ("host-mount", "configmap"):
        _mounted_main_config_not_read(tree, report)
    if not tree.is_main and tree.start_ctx == ("http",):
        _fragment_as_main_config(tree, report)
    if not tree.is_main or binding.how not in ("image-copy", "dockerfile") or build is None:
        return
    from ..container.dockerfile_binding import config_nginx_reads  # the image model, only for a main config an
    from ..container.filesystem import Unknown  # image copies
    from ..container.view import STOCK_SITES, container_files

    argv = binding.container.argv or build.argv  # Compose's command and entrypoint, else the Dockerfile's
    read = config_nginx_reads(argv, binding.container.base_image)
    placed = _placing_copy(tree, binding, build)
    if read is None or placed is None or posixpath.normpath(placed[1]) == read \
            or fnmatch.fnmatchcase(placed[1], STOCK_SITES):
        return  # nginx reads it, or includes it from the image's own config (a main config there fails otherwise)
    files = container_files(tree)
    there = files.where(read) if files is not None else None
    # what the image has there follows from names alone (the official image's own file, rocks or packages installed
    # by name), and no RUN names either path (`ln -sf`, `cp`): nothing puts this config where nginx reads it
    if not (isinstance(there, Unknown) and there.named) or any(read in run or placed[1] in run for run in build.runs):
        return
    if _named_by_a_script(tree, read, placed[1]):
        return  # a start script (one in /docker-entrypoint.d/, say) renders or copies it there: `envsubst < … > …`
    if placed[1].endswith(".template") and _output_directory_set_at_run(tree):
        return  # `docker run -e NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx`: the template is rendered where nginx reads
    copy, target = placed
    _report_not_read(tree, report, build.path, copy.span, f"copies the main config to {target}", read, argv,
                     f"copy it to {read}")


def _fragment_as_main_config(tree, report) -> None:
    """A file of `server` blocks that the image copies (or a mount puts) where the container's nginx reads its main
    config: nginx reads it in the main context and refuses to start ("server" directive is not allowed here)."""
    from ..container.dockerfile_binding import config_nginx_reads  # the image model, only for a fragment in place
    from ..container.view import container_files, mount_over

    binding = tree.binding
    container = binding.container
    argv = container.argv or (container.build.argv if container.build is not None else ())
    read = config_nginx_reads(argv, container.base_image)
    placed = posixpath.normpath(binding.container_path) if binding.container_path else None
    server = next((node for node in tree.main.children if node.name == "server"), None)
    if read is None or placed != read or server is None:
        return
    if binding.how in ("image-copy", "dockerfile") and container.build is not None:
        copy = _placing_copy(tree, binding, container.build)
        where = (container.build.path, copy[0].span, "copies") if copy is not None else None
    else:
        files = container_files(tree)
        mount = mount_over(files.mounts, placed) if files is not None else None
        where = (binding.path, mount.mount.span, "mounts") if mount is not None and mount.mount.span else None
    if where is None:
        return
    path, span, does = where
    report.at(path, span, f"this {does} a file of server blocks to {read}, where nginx reads its main config: nginx "
              "refuses to start (\"server\" directive is not allowed here); put it in /etc/nginx/conf.d/, or wrap "
              "it in `events {}` and `http { … }`", related=[server.location("the server block at the top")])


def _report_not_read(tree, report, path: str, span, does: str, read: str, argv, fix: str) -> None:
    how = "its command's `-c`" if "-c" in argv else "the image's default"
    first = next(iter(tree.walk()), None)
    report.at(path, span, f"this {does}, but the container's nginx reads {read} ({how}): nginx never loads "
              f"{tree.loader.display(Path(tree.root.path))}, and runs the image's own config instead; {fix}",
              related=[first.location("the config nginx does not load")] if first is not None else [])


def _mounted_main_config_not_read(tree, report) -> None:
    """A main config a Compose bind mount or a ConfigMap puts where the container's nginx does not read it
    (`/etc/nginx/nginx.conf` in an OpenResty image): nginx runs the image's own config."""
    from ..container.dockerfile_binding import config_nginx_reads  # the image model, only for a mounted main config
    from ..container.filesystem import Unknown
    from ..container.view import STOCK_SITES, container_files, mount_over

    binding = tree.binding
    container = binding.container
    placed = posixpath.normpath(binding.container_path)
    read = config_nginx_reads(container.argv, container.base_image)
    if read is None or placed == read or fnmatch.fnmatchcase(placed, STOCK_SITES) or container.build is not None:
        return
    files = container_files(tree)
    there = files.where(read) if files is not None else None
    if not (isinstance(there, Unknown) and there.named) or _named_by_a_script(tree, read, placed):
        return  # something in view may put a config there, or a start script renders or copies one
    mount = mount_over(files.mounts, placed)
    if mount is None or mount.mount.span is None:
        return
    _report_not_read(tree, report, binding.path, mount.mount.span, f"mounts the main config at {placed}", read,
                     container.argv, f"mount it at {read}")


def _named_by_a_script(tree, read: str, placed: str) -> bool:
    """A shell script of the repository names both the path nginx reads and the one the config is copied to."""
    from ..shell_scripts import shell_scripts  # the repository's scripts, only for a config nginx seems not to read

    top = tree.loader.repository_top(Path(tree.root.path).parent)
    return any(read in text and placed in text for _, text in shell_scripts(tree.loader, top))


def _output_directory_set_at_run(tree) -> bool:
    """A script, Makefile, CI job or Compose file of the repository sets where the nginx image renders its templates
    (`NGINX_ENVSUBST_OUTPUT_DIR`) for the containers it runs, outside the Dockerfile."""
    from ..container.detect import is_compose_path
    from ..container.redeploy import deploy_texts  # the scripts, only for a template not read

    loader = tree.loader  # the Compose files are among the manifests the run read
    return any(_OUTPUT_DIRECTORY in text for text in deploy_texts(loader)) or any(
        _OUTPUT_DIRECTORY in source.text for source in loader.read_files() if is_compose_path(source.display))


_OUTPUT_DIRECTORY = "NGINX_ENVSUBST_OUTPUT_DIR"


def _placing_copy(tree, binding, build):
    """(the COPY, its image path) that puts the tree's root config into the image of a Dockerfile or a Compose
    service's build, by the config's own path or its directory's."""
    from ..container.dockerfile_binding import build_context, dockerfile_context, placing_copy

    base = Path(os.path.abspath(tree.loader.base_dir))
    if binding.source == "dockerfile":
        context = dockerfile_context(tree.loader, base / build.path)
    else:
        context = build_context(binding.facts, base / binding.path)
    if context is None:
        return None
    return placing_copy(Path(os.path.abspath(tree.root.path)), context, build, whole_context=False)
