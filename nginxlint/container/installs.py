"""What a `RUN` command puts into the image, as far as its words say: rocks, OPM and system packages, downloads
and clones, and the paths it writes.

Only the commands that matter to nginx and its Lua are understood in detail. Anything that runs a script or a
build tool (which may write anywhere) is recorded as such, so that the image model knows it cannot claim a file
is absent. Words are split as POSIX sh splits them (quotes, `&&`, `||`, `;`, `|`, redirections).
"""
from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from glob import escape as glob_escape

_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", ";;", "|&"})
_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<", "<<", "<<<", "<>"})
_PREFIX_WORDS = frozenset({"sudo", "exec", "env", "time", "nice", "nohup", "command", "builtin", "then", "do",
                           "else", "!", "{", "xargs"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
# Programs that may write anywhere in the image (build tools, interpreters running project code).
_WRITES_ANYWHERE = frozenset({
    "make", "gmake", "cmake", "ninja", "meson", "python", "python3", "perl", "ruby", "node", "npm", "npx", "yarn",
    "pip", "pip3", "go", "cargo", "gem", "composer", "ansible-playbook", "source", ".", "eval", "dpkg", "rpm",
    "luarocks-admin", "configure",
})
_FILE_WRITERS = frozenset({"cp", "mv", "ln", "mkdir", "touch", "tee", "install", "rsync", "unzip", "sed",
                           "envsubst", "truncate", "patch", "gunzip", "bunzip2", "xz"})
_MODE_CHANGERS = frozenset({"chmod", "chown", "chgrp", "setfacl", "setcap"})  # change no file's presence
_PACKAGE_COMMANDS = {
    "apk": ("add",), "apt-get": ("install",), "apt": ("install",), "yum": ("install",), "dnf": ("install",),
    "microdnf": ("install",), "zypper": ("install", "in"),
}
# Install wrappers that image collections put on the PATH and that take only package names: Bitnami's
# `install_packages` (minideb) and the `apt-install`/`apk-install` kind named after the manager they run.
_PACKAGE_WRAPPERS = {"install_packages": "apt", "apt-install": "apt", "apk-install": "apk", "yum-install": "yum",
                     "dnf-install": "yum"}
# Options of package managers and luarocks that take a separate value.
_VALUE_OPTIONS = frozenset({
    "--tree", "--server", "--only-server", "--lua-version", "--lua-dir", "--branch", "-o", "--output", "-O",
    "--output-document", "-P", "--directory-prefix", "-C", "--directory", "--repository", "-X", "--cwd",
    "--install-dir", "--virtual", "-t", "-b", "--depth", "--config", "-c", "--setopt", "--deps-mode",
    "--output-dir", "-H", "--header", "-u", "--user", "-d",
})


@dataclass(frozen=True)
class RockInstall:
    """`luarocks install NAME`, `luarocks install path.rockspec` or `luarocks make [path.rockspec]`."""

    tool: str  # "luarocks" | "opm"
    # rock or OPM package name (without the owner); for `install x-1.0-1.rockspec` the name its file name gives,
    # which stands for it when the rockspec is not in the repository (downloaded); None for `luarocks make`
    name: str | None
    rockspec: str | None = None  # image path of the rockspec (or of the directory `luarocks make` runs in)
    only_deps: bool = False
    tree: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Written:
    """A path a command writes (a download, a clone, a copy, a redirection); `what` says which command."""

    path: str
    what: str
    # the command puts something at this path (a download's output, a clone, an archive unpacked into it, a copy's
    # destination, a redirection): not a source it reads, a directory it makes empty, or a path an unknown tool names
    made: bool = False


@dataclass
class RunEffects:
    rocks: list[RockInstall] = field(default_factory=list)
    packages: list[tuple[str, str]] = field(default_factory=list)  # (manager, package)
    written: list[Written] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (directory, glob of the names `rm` removes)
    links: list[tuple[str, str]] = field(default_factory=list)  # (link path, target) of each `ln -s TARGET LINK`
    anywhere: str | None = None  # the command that may write anywhere, if any
    scripts: list[str] = field(default_factory=list)  # the image paths of the script files the RUN executes


def run_effects(script: str, cwd: str, line: int, exec_form: tuple[str, ...] | None = None) -> RunEffects:
    """Effects of one RUN (shell form `script`, or `exec_form` argv), run in `cwd`."""
    effects = RunEffects()
    if exec_form is not None:
        _command(list(exec_form), cwd, line, effects)
        return effects
    _script(script, cwd, line, effects, depth=0)
    return effects


def _script(script: str, cwd: str, line: int, effects: RunEffects, depth: int) -> str:
    for text in script.replace("\\\n", " ").split("\n"):
        for words in simple_commands(text):
            cwd = _command(words, cwd, line, effects, depth)
    return cwd


def simple_commands(text: str) -> list[list[str]]:
    """Commands of one line, each as words, with redirection targets kept as `>` + target."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:  # an unterminated quote: fall back to plain words
        tokens = text.split()
    commands: list[list[str]] = []
    current: list[str] = []
    for token in tokens:
        if token in _SEPARATORS:
            if current:
                commands.append(current)
            current = []
        else:
            current.append(token)
    if current:
        commands.append(current)
    return commands


def _command(words: list[str], cwd: str, line: int, effects: RunEffects, depth: int = 0) -> str:
    """Record one simple command's effects; returns the working directory after it (`cd`)."""
    words = _redirections(words, cwd, effects)
    while words and (words[0] in _PREFIX_WORDS or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
        words = words[1:]
    if not words:
        return cwd
    program = posixpath.basename(words[0])
    args = words[1:]
    if program == "cd":
        target = args[0] if args and not args[0].startswith("-") else "/root"
        return _resolve(cwd, target)
    if program in _SHELLS:
        if "-c" in args and args.index("-c") + 1 < len(args) and depth < 4:
            _script(args[args.index("-c") + 1], cwd, line, effects, depth + 1)
        elif any(not arg.startswith("-") for arg in args):
            effects.anywhere = effects.anywhere or " ".join(words[:2])
            effects.scripts.append(_resolve(cwd, next(arg for arg in args if not arg.startswith("-"))))
        return cwd
    if program in _LUAROCKS:
        _luarocks(args, cwd, line, effects)
    elif program == "opm":
        _opm(args, line, effects)
    elif program in _PACKAGE_COMMANDS:
        _packages(program, args, effects)
    elif program in _PACKAGE_WRAPPERS:
        effects.packages.extend((_PACKAGE_WRAPPERS[program], package) for package in _positionals(args))
    elif program == "git":
        _git(args, cwd, effects)
    elif program in ("curl", "wget"):
        _download(program, args, cwd, effects)
    elif program in _RENDERERS:
        for output in _rendered(program, args):
            effects.written.append(Written(_resolve(cwd, output), program, made=True))
    elif (output := _compiled(program, args)) is not None:
        effects.written.append(Written(_resolve(cwd, output), program, made=True))
    elif program == "tar":
        target = _option(args, ("-C", "--directory")) or cwd
        effects.written.append(Written(_resolve(cwd, target), "tar", made=True))
    elif program == "rm":
        for arg in args:
            if not arg.startswith("-"):
                path = _resolve(cwd, arg)
                if path != "/":
                    directory, name = posixpath.split(path)
                    effects.removed.append((directory, name if any(c in name for c in "*?[") else glob_escape(name)))
    elif program in _MODE_CHANGERS:
        pass
    elif program in _FILE_WRITERS:
        made = _destinations(program, args)
        for arg in args:
            if not arg.startswith("-"):
                effects.written.append(Written(_resolve(cwd, arg), program, made=arg in made))
        if program == "ln":
            link = symbolic_link(args, cwd)
            if link is not None:
                effects.links.append(link)
    elif program in _WRITES_ANYWHERE or "/" in words[0]:
        effects.anywhere = effects.anywhere or " ".join(words[:2])
        if "/" in words[0]:
            effects.scripts.append(_resolve(cwd, words[0]))
    else:
        for arg in args:  # an unknown tool: the absolute paths it names
            if arg.startswith("/") or arg.startswith("--") and "=/" in arg:
                effects.written.append(Written(arg.split("=", 1)[-1], program))
    return cwd


# Template renderers, by the option that names the file they write: `tempio -template x.gotmpl -out listen.conf`,
# `gomplate -f x.tmpl -o x.conf`, `envtpl -o x.conf`, `j2 -o x.conf`; `dockerize -template SRC:DEST`.
_RENDERERS = {"tempio": ("-out",), "gomplate": ("-o", "--out"), "envtpl": ("-o", "--output"), "j2": ("-o", "--output"),
              "dockerize": ()}


def _rendered(program: str, args: list[str]) -> list[str]:
    if program == "dockerize":
        return [arg.split(":", 1)[1] for index, arg in enumerate(args)
                if index and args[index - 1] == "-template" and ":" in arg]
    output = _option(args, _RENDERERS[program])
    return [output] if output and output != "-" else []


# LuaJIT's `-b` options that take a value (`luajit -b -t raw -n name in.lua out.ljbc`)
_LUAJIT_VALUE_OPTIONS = frozenset({"-t", "-a", "-o", "-n", "-F", "-e"})


def _compiled(program: str, args: list[str]) -> str | None:
    """The bytecode file a Lua compiler writes: `luajit -b[lsg] IN OUT` (its last word), `luac -o OUT IN`."""
    if program.startswith("luajit") and args and args[0].startswith("-b"):
        names = [arg for previous, arg in zip(args, args[1:])
                 if not arg.startswith("-") and previous not in _LUAJIT_VALUE_OPTIONS]
        return names[-1] if len(names) >= 2 and names[-1] != "-" else None
    if program.startswith("luac"):
        return _option(args, ("-o",))
    return None


def _destinations(program: str, args: list[str]) -> set[str]:
    """The words of a file-writing command that name what it puts in place: a copy's or link's destination (its
    last name, or `-t DIR`), the files `tee` and `touch` write, the files `sed` edits (they are there)."""
    names = [arg for arg in args if not arg.startswith("-")]
    if program in ("cp", "mv", "install", "rsync", "ln"):
        directory = _option(args, ("-t", "--target-directory"))
        return {directory} if directory else set(names[-1:]) if len(names) >= 2 else set()
    if program in ("tee", "touch"):
        return set(names)
    if program == "sed":
        return set(names if "-e" in args or "--expression" in args else names[1:])
    return set()


def symbolic_link(args, cwd: str) -> tuple[str, str] | None:
    """(LINK, TARGET) of `ln -s TARGET LINK` (`-sf`, `-sfn`, `-s -f`): LINK now points at TARGET. Another shape
    (several targets into a directory, `-t DIR`, a LINK written as a directory `dir/`) is None: where the link lands
    is not certain."""
    options = [arg for arg in args if arg.startswith("-")]
    names = [arg for arg in args if not arg.startswith("-")]
    short = "".join(option[1:] for option in options if not option.startswith("--"))
    symbolic = "s" in short or "--symbolic" in options
    into_directory = "t" in short or any(option.startswith("--target-directory") for option in options)
    if symbolic and not into_directory and len(names) == 2 and not names[1].endswith("/"):
        return _resolve(cwd, names[1]), names[0]
    return None


def _redirections(words: list[str], cwd: str, effects: RunEffects) -> list[str]:
    kept: list[str] = []
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
            continue
        if word in _REDIRECTS or re.fullmatch(r"\d?[<>]+&?", word):
            if ">" in word and index + 1 < len(words) and not words[index + 1].startswith("&"):
                target = words[index + 1]
                duplicated = word.endswith("&") and (target.isdigit() or target == "-")  # `>&2`: a descriptor
                if not target.startswith("/dev/") and not duplicated:
                    effects.written.append(Written(_resolve(cwd, target), "a redirection", made=True))
            skip = True
            continue
        kept.append(word)
    return kept


def _resolve(cwd: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(cwd, path))


def _option(args: list[str], names: tuple[str, ...]) -> str | None:
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(name + "=") and name.startswith("--"):
                return arg[len(name) + 1:]
            if not name.startswith("--") and arg.startswith(name) and len(arg) > len(name):
                return arg[len(name):]
    return None


def _positionals(args: list[str]) -> list[str]:
    found: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in _VALUE_OPTIONS
        else:
            found.append(arg)
    return found


def _luarocks(args: list[str], cwd: str, line: int, effects: RunEffects) -> None:
    positionals = _positionals(args)
    if not positionals:
        return
    action, rest = positionals[0], positionals[1:]
    tree = _option(args, ("--tree",))
    only_deps = "--only-deps" in args
    if action in ("install", "build") and rest:
        target = rest[0]
        if target.endswith((".rockspec", ".rock")) or "/" in target:
            rockspec = _resolve(cwd, target) if target.endswith(".rockspec") else None
            effects.rocks.append(RockInstall("luarocks", _rock_file_name(target), rockspec, only_deps, tree, line))
        else:
            effects.rocks.append(RockInstall("luarocks", target, None, only_deps, tree, line))
    elif action == "make":
        target = rest[0] if rest and rest[0].endswith(".rockspec") else cwd
        effects.rocks.append(RockInstall("luarocks", None, _resolve(cwd, target), only_deps, tree, line))


def _rock_file_name(target: str) -> str | None:
    """'lua-resty-http-0.17.1-0.src.rock' or 'lua-resty-http-0.17.1-0.rockspec' -> 'lua-resty-http'; an odd
    name -> None."""
    base = posixpath.basename(target)
    match = re.match(r"(.+?)-(?:\d[\w.]*|scm|dev)-\d+(?:\.[\w-]+)?\.rock(?:spec)?$", base)
    return match.group(1) if match else None


# LuaRocks, and Alpine's and Debian's names for its Lua 5.1 build (`apk add luarocks5.1`, then `luarocks-5.1 install`),
# which installs where LuaJIT looks; the builds for later Luas install for those
_LUAROCKS = frozenset({"luarocks", "luarocks-5.1", "luarocks5.1"})


def _opm(args: list[str], line: int, effects: RunEffects) -> None:
    positionals = _positionals(args)
    if not positionals or positionals[0] not in ("get", "install"):  # `install` is opm's other name for `get`
        return
    for package in positionals[1:]:
        name = package.split("=", 1)[0].split(">", 1)[0].rstrip("<~ ")
        effects.rocks.append(RockInstall("opm", name.rsplit("/", 1)[-1], line=line))


def _packages(program: str, args: list[str], effects: RunEffects) -> None:
    positionals = _positionals(args)
    if positionals and positionals[0] in _PACKAGE_COMMANDS[program]:
        manager = "apt" if program.startswith("apt") else "yum" if program in ("dnf", "microdnf") else program
        for package in positionals[1:]:
            effects.packages.append((manager, package))


def _git(args: list[str], cwd: str, effects: RunEffects) -> None:
    positionals = _positionals(args)
    if len(positionals) >= 2 and positionals[0] == "clone":
        url = positionals[1]
        target = positionals[2] if len(positionals) > 2 else posixpath.basename(url.rstrip("/")).removesuffix(".git")
        effects.written.append(Written(_resolve(cwd, target), f"git clone {url}", made=True))


def _download(program: str, args: list[str], cwd: str, effects: RunEffects) -> None:
    urls = [arg for arg in _positionals(args) if "://" in arg]
    if program == "curl":
        output = _option(args, ("-o", "--output")) or _clustered(args, "o")
        directory = _option(args, ("--output-dir",)) or cwd
        if output and output != "-":
            what = f"curl {urls[0] if urls else ''}".strip()
            effects.written.append(Written(_resolve(directory, output), what, made=True))
        elif "-O" in args or "--remote-name" in args:
            for url in urls:
                effects.written.append(Written(_resolve(directory, _url_name(url)), f"curl {url}", made=True))
        return
    output = _option(args, ("-O", "--output-document")) or _clustered(args, "O")
    directory = _option(args, ("-P", "--directory-prefix")) or cwd
    if output and output != "-":
        what = f"wget {urls[0] if urls else ''}".strip()
        effects.written.append(Written(_resolve(cwd, output), what, made=True))
    elif not output:
        for url in urls:
            effects.written.append(Written(_resolve(directory, _url_name(url)), f"wget {url}", made=True))


def _clustered(args: list[str], letter: str) -> str | None:
    """The value of a short option given last in a cluster of flags (`wget -qO FILE`, `curl -sLo FILE`)."""
    for index, arg in enumerate(args[:-1]):
        if len(arg) > 2 and arg[0] == "-" and arg[1:].isalpha() and arg.endswith(letter):
            return args[index + 1]
    return None


def _url_name(url: str) -> str:
    return posixpath.basename(url.split("?", 1)[0].rstrip("/")) or "index.html"
