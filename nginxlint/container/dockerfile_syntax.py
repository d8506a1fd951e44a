"""A Dockerfile as instructions, read with BuildKit's own parser, and BuildKit's word expansion.

The parser is the `dockerfile` package (BuildKit's Go parser in a wheel): it knows line continuations, the
`# escape=` directive, heredocs, JSON versus shell form and exact line numbers the way `docker build` does.
It is imported only when a Dockerfile is read; without it (a platform with no wheel) nothing is read and the
image stays unknown, which keeps every claim about it quiet.

Variable expansion follows BuildKit's shell lexer (`$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
`${VAR:+word}`, `${VAR+word}`, quotes and escapes). A name whose value the Dockerfile does not fix (an `ARG`
without a default, which `--build-arg` may set) makes the word unresolved rather than guessed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

# Instructions whose arguments BuildKit expands with ENV/ARG values.
EXPANDED = frozenset({"ADD", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
                      "ARG", "ONBUILD"})


@dataclass(frozen=True)
class Instruction:
    cmd: str  # upper case: FROM, COPY, ...
    args: tuple[str, ...]  # as written (quotes kept, not expanded); JSON form already decoded
    flags: tuple[str, ...]  # --from=x, --chown=y ...
    json: bool  # exec (JSON) form
    line: int  # 1-based, first line of the instruction
    end_line: int
    heredocs: tuple[tuple[str, str], ...] = ()  # (name, content)
    original: str = ""

    def flag(self, name: str) -> str | None:
        """The value of `--name=value`, or None."""
        prefix = f"--{name}="
        for flag in self.flags:
            if flag.startswith(prefix):
                return flag[len(prefix):]
        return None


@dataclass(frozen=True)
class Parsed:
    instructions: tuple[Instruction, ...]
    escape: str = "\\"
    problem: str | None = None  # why nothing could be read


def parse_dockerfile(text: str) -> Parsed:
    """Every instruction of a Dockerfile; an unreadable file gives none and says why."""
    try:
        # Imported here: a native library that only Dockerfile reading needs.
        import dockerfile  # an optional wheel, imported when a Dockerfile is read
    except ImportError:
        return Parsed((), problem="the `dockerfile` package is not installed")
    try:
        commands = dockerfile.parse_string(text)
    except (dockerfile.GoParseError, dockerfile.GoIOError, UnicodeError, ValueError) as error:
        return Parsed((), problem=f"not a readable Dockerfile: {error}")
    instructions = tuple(
        Instruction(
            cmd=command.cmd.upper(), args=tuple(command.value or ()), flags=tuple(command.flags or ()),
            json=bool(command.json), line=command.start_line, end_line=command.end_line,
            heredocs=tuple((heredoc.name, heredoc.content) for heredoc in command.heredocs or ()),
            original=command.original or "",
        )
        for command in commands
        if isinstance(command.cmd, str)  # a lone continuation at the end of the file parses to no instruction
    )
    return Parsed(instructions, escape=_escape_directive(text))


def _escape_directive(text: str) -> str:
    """`# escape=`` ` `` in the leading comment block (parser directives)."""
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        key, equals, value = stripped[1:].partition("=")
        if equals and key.strip().lower() == "escape" and value.strip() in ("`", "\\"):
            return value.strip()
    return "\\"


class Unresolved(Exception):
    """A word names a variable whose value the Dockerfile leaves to the build command."""


def expand(word: str, variables: Mapping[str, str | None], escape: str = "\\") -> str:
    """One word expanded as BuildKit does; raises Unresolved on a variable whose value is None (unknown)."""
    return _Lexer(word, variables, escape).word()


class _Lexer:
    def __init__(self, text: str, variables: Mapping[str, str | None], escape: str) -> None:
        self.text, self.variables, self.escape, self.pos = text, variables, escape, 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        char = self.peek()
        self.pos += 1
        return char

    def word(self, stop: str = "") -> str:
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.peek()
            if stop and char in stop:
                break
            if char == self.escape:
                self.pos += 1
                if self.pos < len(self.text):
                    out.append(self.next())
            elif char == "'":
                self.pos += 1
                end = self.text.find("'", self.pos)
                end = len(self.text) if end < 0 else end
                out.append(self.text[self.pos:end])
                self.pos = end + 1
            elif char == '"':
                self.pos += 1
                out.append(self.double_quoted())
            elif char == "$":
                self.pos += 1
                out.append(self.variable())
            else:
                out.append(self.next())
        return "".join(out)

    def double_quoted(self) -> str:
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.next()
            if char == '"':
                break
            if char == self.escape and self.peek() in ('"', "$", self.escape):
                out.append(self.next())
            elif char == "$":
                out.append(self.variable())
            else:
                out.append(char)
        return "".join(out)

    def variable(self) -> str:
        char = self.peek()
        if char == "{":
            self.pos += 1
            return self.braced()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        name = self.text[start:self.pos]
        if not name:
            return "$"
        return self.value(name)

    def value(self, name: str) -> str:
        if name not in self.variables:
            return ""  # BuildKit expands an undeclared name to nothing
        value = self.variables[name]
        if value is None:
            raise Unresolved(name)
        return value

    def braced(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        name = self.text[start:self.pos]
        if self.peek() == "}":
            self.pos += 1
            return self.value(name)
        operator = self.next()
        if operator == ":" and self.peek() in "-+?":
            operator += self.next()
        argument = self.word(stop="}")
        self.pos += 1  # the closing brace
        declared = name in self.variables
        if declared and self.variables[name] is None:
            raise Unresolved(name)
        current = self.variables.get(name) if declared else None
        if operator in (":-", "-"):
            use_default = current is None or (operator == ":-" and current == "")
            return argument if use_default else current  # type: ignore[return-value]
        if operator in (":+", "+"):
            present = current is not None and (operator == "+" or current != "")
            return argument if present else ""
        if operator in (":?", "?"):
            return current or ""
        return current or ""  # pattern operators (#, %, /) are rare in paths: keep the value
