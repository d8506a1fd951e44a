"""How a container starts nginx: the commands its start command or start script runs, in order.

The start command is a shell's `-c` text, a script the image holds (read from the repository when a COPY or a mount
put it there), or nginx itself. The script is read as POSIX sh splits it, without running anything: commands at
its top level in order, with the functions it calls expanded; commands inside `if`, `case` and loops are marked
`conditional` (whether they run is not known here), and a `trap` anywhere is noted (it may pass the stop signal on).
"""
from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_OPENERS = frozenset({"if", "case", "while", "until", "for", "select"})
_CLOSERS = frozenset({"fi", "esac", "done"})
_PREFIXES = frozenset({"exec", "command", "nohup", "sudo", "env", "then", "do", "else", "elif", "!", "{", "time"})
NGINX_PROGRAMS = frozenset({"nginx", "openresty", "nginx-debug"})
_NOT_A_START = frozenset({"-s", "-t", "-T", "-v", "-V", "-h", "-?"})  # signal, test, version, help
_COMBINED_FLAGS = re.compile(r"-[a-zA-Z?]{2,}")  # `nginx -qt`: -q and -t in one word
_NOT_A_START_LETTERS = frozenset("stTvVh?")
# The script's arguments, run as a command (`"$@"`, what a wrapper entrypoint gets as the container's command)
_RUNS_ARGUMENTS = frozenset({"$@", "${@}"})
_ARGUMENTS_VALUES = _RUNS_ARGUMENTS | {"$*", "${*}"}  # what a variable holding them is set to
_ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)=(.*)$", re.DOTALL)
_VARIABLE_WORD = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
_FUNCTION = re.compile(r"^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)\s*\{?\s*$|^\s*function\s+([A-Za-z_][\w-]*)\s*\{?\s*$")


@dataclass(frozen=True)
class Command:
    """One simple command of the start: its words (prefixes such as `exec` removed), where it is written, and how
    it runs."""

    words: tuple[str, ...]
    line: int  # 1-based in the script; 0 for an argv given as a list
    background: bool = False  # followed by `&`
    conditional: bool = False
    exec_: bool = False

    @property
    def program(self) -> str:
        return posixpath.basename(self.words[0]) if self.words else ""

    def starts_nginx(self) -> bool:
        return self.program in NGINX_PROGRAMS and not any(
            word in _NOT_A_START or _COMBINED_FLAGS.fullmatch(word) and _NOT_A_START_LETTERS.intersection(word)
            for word in self.words[1:])

    def runs_arguments(self) -> bool:
        """`"$@"` without `exec`: the script runs its arguments (the container's command) as its child."""
        return len(self.words) == 1 and self.words[0] in _RUNS_ARGUMENTS and not self.exec_

    def keeps_running(self) -> bool:
        """`tail -f`, `sleep`: a command that stays in the foreground without being nginx."""
        if self.program == "tail":
            return any(word.startswith("-") and ("f" in word or "F" in word) for word in self.words[1:])
        return self.program == "sleep" and len(self.words) > 1


@dataclass(frozen=True)
class Start:
    commands: tuple[Command, ...]
    traps: bool  # the script sets a trap: it may forward the stop signal
    # Read from a script file: bash, dash and busybox ash run each of its commands in a child process unless it
    # says `exec`, its last one too (a `-c` text's last command may replace the shell instead).
    script_file: bool = False
    # A `-c` text whose shell is known to run its last command as a child too (Debian's dash).
    last_a_child: bool = False

    def with_arguments(self, argv: tuple[str, ...]) -> "Start":
        """The start with the container's command in place of each `"$@"` the script runs without `exec` (`"$@"`,
        or `${command}` after `command="$@"`): the shell runs it as its child and waits."""
        if not any(c.runs_arguments() for c in self.commands):
            return self
        commands = tuple(Command(argv, c.line, c.background, c.conditional) if c.runs_arguments() else c
                         for c in self.commands)
        return Start(commands, self.traps, self.script_file, self.last_a_child)

    def waited_for(self) -> tuple[Command, ...]:
        """The commands the shell runs as children and waits for, staying the container's first process while
        each runs: a script file's commands, or those of a `-c` text whose shell execs none, in the foreground,
        without `exec`, under no condition."""
        if not (self.script_file or self.last_a_child):
            return ()
        return tuple(c for c in self.commands if not (c.exec_ or c.background or c.conditional))


def shell_text(argv: tuple[str, ...]) -> str | None:
    """The `-c` text of a shell command (`sh -c '…'`, `/bin/bash -ec '…'`), or None."""
    if len(argv) < 3 or posixpath.basename(argv[0]) not in _SHELLS:
        return None
    for index, word in enumerate(argv[1:], 1):
        if word.startswith("-") and "c" in word[1:] and not word.startswith("--"):
            return argv[index + 1] if index + 1 < len(argv) else None
        if not word.startswith("-"):
            return None
    return None


# Init programs that run the rest of the command line as their child (`dumb-init -- /start.sh`, `tini -s -- …`).
INIT_WRAPPERS = frozenset({"dumb-init", "tini", "tini-static", "catatonit"})


def init_wrapper_length(argv) -> int:
    """How many leading words init wrappers and their options take (`tini -s -- /go.sh`: 3)."""
    skip = 0
    while skip < len(argv) and posixpath.basename(argv[skip]) in INIT_WRAPPERS:
        skip += 1
        while skip < len(argv) and argv[skip].startswith("-"):
            skip += 1  # the wrapper's options, up to and with `--`
    return skip


def script_path(argv: tuple[str, ...]) -> str | None:
    """The script a start command runs: `/entrypoint.sh`, `sh /entrypoint.sh`, `./start.sh`, `. /start.sh` (not
    nginx itself)."""
    if not argv:
        return None
    if argv[0] in (".", "source"):
        return argv[1] if len(argv) > 1 else None
    if posixpath.basename(argv[0]) in _SHELLS:
        rest = [word for word in argv[1:] if not word.startswith("-")]
        return rest[0] if rest and shell_text(argv) is None else None
    program = posixpath.basename(argv[0])
    if program in NGINX_PROGRAMS or "/" not in argv[0] and not program.endswith(".sh"):
        return None
    return argv[0]


def read_script(text: str, script_file: bool = False, last_a_child: bool = False) -> Start:
    """The commands a shell script runs, in order, with the functions it calls expanded. `script_file`: the text
    is a script file's, not a `-c` text's; `last_a_child`: the `-c` text's shell runs its last command as a child."""
    functions: dict[str, list[Command]] = {}
    top: list[Command] = []
    traps = False
    depth = 0  # inside if/case/loops
    current: list[Command] | None = None  # the body of the function being defined
    braces = 0
    arguments: set[str] = set()  # variables set to the script's arguments (`command="$@"`)
    for number, raw in _logical_lines(text):
        match = _FUNCTION.match(raw)
        if match and current is None:
            current = functions.setdefault(match.group(1) or match.group(2), [])
            braces = 1 if raw.rstrip().endswith("{") else 0
            continue
        for words, background in _simple_commands(raw):
            if words[0] == "{" and current is not None and braces == 0:
                braces = 1
                words = words[1:]
                if not words:
                    continue
            if words == ["}"] and current is not None:
                braces -= 1
                if braces <= 0:
                    current = None
                continue
            if words[0] == "trap":
                traps = True
            opened = sum(1 for word in words[:1] if word in _OPENERS)
            closed = sum(1 for word in words if word in _CLOSERS)
            exec_ = False
            assigned = [_ASSIGNMENT.match(word) for word in words]
            if all(assigned):  # `command="$@"`: the variable holds the script's arguments
                arguments.update(m.group(1) for m in assigned if m.group(2) in _ARGUMENTS_VALUES)
            elif len(words) == 1 and (named := _VARIABLE_WORD.fullmatch(words[0])) is not None \
                    and (named.group(1) or named.group(2)) in arguments:
                words = ["$@"]  # `${command}`: runs the arguments
            while words and (words[0] in _PREFIXES or re.match(r"^[A-Za-z_]\w*=", words[0])):
                exec_ = exec_ or words[0] == "exec"
                words = words[1:]
            if words and words[0] not in _OPENERS and words[0] not in _CLOSERS:
                command = Command(tuple(words), number, background, depth + opened > 0, exec_)
                (current if current is not None else top).append(command)
            depth = max(0, depth + opened - closed)
    return Start(tuple(_expand(top, functions, 0)), traps, script_file, last_a_child)


def _logical_lines(text: str):
    """(number of its first line, text) of each command line, a line that ends in a backslash joined with the next
    one (`tail -f a.log \\` then `-f b.log` is one command); the text of a here-document is no command."""
    start, parts = 0, []
    for number, line in enumerate(without_heredoc_bodies(text).split("\n"), 1):
        if not parts:
            start = number
        if line.endswith("\\"):
            parts.append(line[:-1] + " ")
            continue
        yield start, "".join(parts) + line
        parts = []
    if parts:
        yield start, "".join(parts)


# A here-document's operator and delimiter (`cat <<EOD`, `<<-'EOF'`; not a here-string, `<<<`)
_HEREDOC = re.compile(r"(?<!<)<<-?\s*(['\"]?)([A-Za-z_][\w-]*)\1")


def without_heredoc_bodies(text: str) -> str:
    """The script with the lines of its here-documents blanked: text fed to a command, not commands."""
    lines = text.split("\n")
    ending = None
    for index, line in enumerate(lines):
        if ending is not None:
            if line.strip() == ending:
                ending = None
            lines[index] = ""
            continue
        match = _HEREDOC.search(line)
        if match:
            ending = match.group(2)
    return "\n".join(lines)


def _expand(commands: list[Command], functions: dict[str, list[Command]], depth: int) -> list[Command]:
    found: list[Command] = []
    for command in commands:
        body = functions.get(command.words[0]) if depth < 4 else None
        if body is None:
            found.append(command)
        else:
            found.extend(Command(c.words, c.line, c.background or command.background,
                                 c.conditional or command.conditional, c.exec_)
                         for c in _expand(body, functions, depth + 1))
    return found


def _simple_commands(line: str) -> list[tuple[list[str], bool]]:
    """The simple commands of one line, each with whether `&` sends it to the background."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:  # an unterminated quote
        tokens = line.split()
    commands: list[tuple[list[str], bool]] = []
    current: list[str] = []
    piped = 0  # how many commands before this one feed it through `|`: a pipeline goes to the background whole
    skip = False
    for token in tokens:
        if skip:
            skip = False
            continue
        if token in (">", ">>", "<", "2>", "&>", ">&", "<<"):
            if current and current[-1].isdigit():
                current.pop()  # the descriptor it redirects (`2>>err.log`), which the lexer splits off
            skip = True
            continue
        if token in (";", "&&", "||", "|", "&", "(", ")", ";;"):
            if current:
                commands.append((current, token == "&"))
            if token == "&" and piped:
                commands[-piped - 1:] = [(words, True) for words, _background in commands[-piped - 1:]]
            piped = piped + 1 if token == "|" and current else 0
            current = []
        else:
            current.append(token)
    if current:
        commands.append((current, False))
    return commands


def argv_start(argv: tuple[str, ...]) -> Start:
    """An argv that is the command itself (`["nginx", "-c", …]`)."""
    return Start((Command(tuple(argv), 0),), False)
