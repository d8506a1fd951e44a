"""nginx's prefix as the repository itself starts nginx: `nginx -p /srv/app/server -c /srv/app/conf/release.conf`
in a Procfile or in a YAML file's command (`cmd:`, `command:`, `entrypoint:`, a deploy tool's app.yaml), at the
repository's top or one directory below it.

The `-c` path names the config in the machine nginx runs on; its tail is the config's path in the repository
(`conf/release.conf`), and what comes before (`/srv/app`) is where the repository sits there. A `-p` under that
place is a directory of the repository (`server/`, which may exist only at run time): nginx's prefix for that
config. Commands that disagree about one config tell nothing.
"""
from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path, PurePosixPath

from .repository import README_NAME

# A command line that runs nginx (or openresty) with its options: `nginx -p DIR -c FILE`, `exec openresty -c …`.
# The program may be a variable naming a copy of the binary (`$APP_NAME -p $(pwd)/ -c conf/nginx.conf`): only nginx
# takes a prefix and a config so.
_NGINX_RUN = re.compile(r"(?:^|[\s\"'\[,;&|(/])(?:nginx|openresty|\$\{?[A-Za-z_]\w*\}?(?=[ \t]+-p[ \t]))"
                        r"[ \t]+(-[^\n]*)")
# YAML keys that hold the command a deploy tool starts (Compose, Kubernetes, app.yaml of PaaS tools), and Procfiles.
_COMMAND_KEY = re.compile(r"^[ \t]*(?:-[ \t]*)?(?:cmd|command|entrypoint|args|run|start)[ \t]*:", re.IGNORECASE)
_YAML_SUFFIXES = (".yaml", ".yml")


def start_prefix(config: Path, top: Path, memo: dict) -> Path | None:
    """The repository directory nginx takes as its prefix for `config` by the repository's own start commands, or
    None when no command names the config with `-p`, or commands disagree."""
    commands = memo.get(top)
    if commands is None:
        commands = memo[top] = _commands(top)
    found = {prefix for prefix in (_mapped(config, top, p, c) for p, c in commands) if prefix is not None}
    return found.pop() if len(found) == 1 else None


def _mapped(config: Path, top: Path, prefix: str, conf: str) -> Path | None:
    """The repository directory `prefix` is, when `conf` names `config`: the longest common tail of the two paths
    (the file's name at least) shows where the repository sits in the machine."""
    try:
        parts = config.relative_to(top).parts
    except ValueError:
        return None
    conf_parts = PurePosixPath(conf).parts
    tail = 0
    while tail < min(len(parts), len(conf_parts) - 1) and parts[-1 - tail] == conf_parts[-1 - tail]:
        tail += 1
    if tail == 0:
        return None
    place = PurePosixPath(*conf_parts[:-tail])  # where the config's directory at `tail` levels up sits
    here = top.joinpath(*parts[:-tail])
    try:
        inside = PurePosixPath(prefix).relative_to(place)
    except ValueError:
        return None
    return Path(os.path.normpath(here.joinpath(*inside.parts)))


def _commands(top: Path) -> list[tuple[str, str]]:
    """(-p, -c) of every nginx command line with both, absolute, in the Procfiles and YAML commands near the top."""
    found = []
    for path in _files_near_top(top, _holds_commands):
        procfile = path.name.startswith("Procfile")
        for line in _text(path).splitlines():
            if "nginx" not in line and "openresty" not in line:
                continue
            if not procfile and not _COMMAND_KEY.match(line):
                continue
            for options in _nginx_options(line.rstrip().rstrip("\"'],")):
                prefix, conf = options.get("-p"), options.get("-c")
                if prefix and conf and prefix.startswith("/") and conf.startswith("/"):
                    found.append((prefix.rstrip("/") or "/", conf))
    return found


def _holds_commands(name: str) -> bool:
    return name.startswith("Procfile") or name.lower().endswith(_YAML_SUFFIXES)


def _nginx_options(text: str, comments: bool = False):
    """{option: the word after it} of each nginx command line in the text."""
    import shlex  # only for a repository that starts nginx by a command line of its own

    for match in _NGINX_RUN.finditer(text):
        try:
            argv = shlex.split(match.group(1), comments=comments)
        except ValueError:
            continue
        yield dict(zip(argv, argv[1:]))


def _files_near_top(top: Path, wanted) -> list[Path]:
    """The files at the repository's top or one directory below it whose name is `wanted`."""
    files = []
    for directory in [top, *_subdirectories(top)]:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        files.extend(directory / name for name in names if wanted(name))
    return [path for path in files if path.is_file()]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _subdirectories(top: Path) -> list[Path]:
    try:
        return [top / name for name in sorted(os.listdir(top))
                if not name.startswith(".") and name != "node_modules" and (top / name).is_dir()]
    except OSError:
        return []


# The working directory as a shell names it: nginx started with `-p "$(pwd)"` takes the directory it runs in for
# its prefix, so paths relative to either are the same.
_PWD = r"(?:`pwd`|\$\(pwd\)|\$\{?PWD\}?)"
WORKING_DIRECTORY = re.compile(_PWD + "/?")
_SHELL_VARIABLE = re.compile(r"\$\{?\w+\}?")
# A variable the script sets to its working directory (`DIR=$(pwd)`, then `./sbin/nginx -p $DIR`)
_WORKING_DIRECTORY_SET = re.compile(r"^[ \t]*(?:export[ \t]+|local[ \t]+)?(\w+)=[\"']?" + _PWD +
                                    r"[\"']?[ \t]*(?:[;#].*)?$", re.M)
# The config nginx reads under its prefix when no `-c` names one (its default --conf-path)
_DEFAULT_CONF = "conf/nginx.conf"


def started_in_prefix(tree) -> bool:
    """Whether a shell script or README of the repository (at its top or one directory below) starts nginx on the
    tree's root config with its working directory as the prefix: `nginx -p \\`pwd\\`/ -c conf/nginx-${PROFILE}.conf`."""
    config = tree.root.path
    if config is None:
        return False
    top = tree.loader.repository_top(config.parent)
    scripts = tree.loader.once("start-scripts", top, lambda: _started_in_working_directory(top))
    try:
        relative = config.relative_to(top).as_posix()
    except ValueError:
        return False
    return any(fnmatch.fnmatchcase("/" + relative, "*" + pattern) for pattern in scripts)


_INLINE_CODE_LINE = re.compile(r"^[ \t]*`(?!`)(.*)`[ \t]*$", re.MULTILINE)
# A command in a sentence of a README: "try to start from `nginx -p . -c nginx.conf`"
_INLINE_COMMAND = re.compile(r"`((?:[\w./-]*/)?(?:nginx|openresty)[ \t][^`\n]*)`")


def _started_in_working_directory(top: Path) -> list[str]:
    """The `-c` paths (shell variables as `*`; conf/nginx.conf without one) of the nginx commands in shell scripts
    and READMEs (the command a reader runs) that pass the working directory as `-p`, written out or through a
    variable set to it."""
    found = []
    for path in _files_near_top(top, lambda name: name.endswith(".sh") or README_NAME.fullmatch(name) is not None):
        text = _text(path)
        if not path.name.endswith(".sh"):
            text = _INLINE_CODE_LINE.sub(r"\1", text)  # a command written as `inline code` on a line of its own
            text = _INLINE_COMMAND.sub("\n\\1\n", text)  # or in a sentence
        names = _WORKING_DIRECTORY_SET.findall(text)
        here = {f"${name}" for name in names} | {f"${{{name}}}" for name in names}
        for options in _nginx_options(text, comments=True):
            prefix = options.get("-p", "")
            if not (WORKING_DIRECTORY.fullmatch(prefix) or prefix.rstrip("/") in here or prefix in (".", "./")):
                continue
            conf = options.get("-c", _DEFAULT_CONF)
            if not conf.startswith("/"):
                found.append("/" + _SHELL_VARIABLE.sub("*", conf.removeprefix("./")))
    return found
