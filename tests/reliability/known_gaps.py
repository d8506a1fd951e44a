"""Where nginx -t and nginxlint are known to disagree, and why.

A gap matches an outcome by its kind ("missed", "wrong-line", "false-alarm") and a regular expression on the
first message of `nginx -t`, on the case's files or a predicate. Product bugs that are reported but not yet fixed are in
`BUGS` instead: their corpus cases xfail, and a test fails once a bug no longer shows, so the entry goes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Gap:
    kind: str
    reason: str
    message: str = ""  # regular expression searched in nginx's message ("" matches any)
    text: str = ""  # regular expression searched in the case's files and settings ("" matches any)
    when: Callable | None = None  # when(outcome, case) -> bool, for what a pattern cannot say
    bug: bool = False  # a product bug, reported to the owners; a regression case in corpus/ waits for the fix


def _unknown_name(outcome) -> str | None:
    match = re.match(r'unknown directive "(.*)"$', outcome.nginx.message or "")
    return match.group(1) if match else None


def _known_elsewhere(outcome, case) -> bool:
    """nginx here does not know the directive, nginxlint does (a module this nginx build does not load)."""
    from nginxlint.nginx.directives import is_known

    name = _unknown_name(outcome)
    return name is not None and is_known(name)


def _rendered_beside(outcome, case) -> bool:
    """The file nginx could not open has a template of it in the case (`x.conf.tpl` for `x.conf`)."""
    from nginxlint.nginx.templates import RENDERED_SUFFIXES

    match = re.match(r'open\(\) "(.*)" failed', outcome.nginx.message or "")
    return match is not None and any(name == match.group(1) + suffix or name.endswith("/" + match.group(1) + suffix)
                                     for name in case.files for suffix in RENDERED_SUFFIXES)


def _cycle_reported(outcome, case) -> bool:
    return any(f["code"] == "NGX003" for f in outcome.findings)


def _syntax_error_reported(outcome, case) -> bool:
    return any(f["code"] == "NGX001" for f in outcome.findings)


GAPS: tuple[Gap, ...] = (
    Gap("missed", "an absolute include reads the machine's file system, which nginxlint does not: outside the "
        "project (and without a path-map entry) it can only warn (NGX002 warning)", message=r'^open\(\) "/'),
    Gap("missed", "the case asks nginxlint to accept the directive (an inline suppression or extra-directives)",
        message=r"^unknown directive", text=r"nginxlint:\s*(ignore|disable|skip-file)|extra-directives"),
    Gap("missed", "a directive of a module this nginx build does not load (third-party, newer core, OpenResty's "
        "own): nginxlint knows it, so the config is right for a server that has the module",
        message=r"^unknown directive", when=_known_elsewhere),
    Gap("missed", "argument values nginx checks and nginxlint does not (sizes, times, codes, flags, regexes, "
        "variables, map and types entries)",
        message=r"^invalid (value|number of the map parameters|size|time|code|port|parameter|variable)|"
                r"^unknown \"[^\"]*\" variable|^the closing bracket in \"[^\"]*\" variable is missing|"
                r"^pcre_compile|^invalid number of arguments in \"(map|types)\"|"
                r"^\"\S+\" directive invalid value|^duplicate default map parameter|^conflicting parameter"),
    Gap("missed", "a block inside the entries of map, types, geo or split_clients: nginx refuses the \"{\", nginxlint "
        "reads it as a nested block (their entries are not checked)", message=r'^unexpected "\{"',
        text=r"(?m)(?:^|[;{}])\s*(map|types|geo|split_clients|charset_map)\b[^;{]*\{"),
    Gap("missed", "nested location rules (prefix inside prefix, nothing inside an exact or named location)",
        message=r"^location \".*\" (is outside location|cannot be inside)|^named location"),
    Gap("missed", "duplicate names nginx checks across directives (upstream, location, listen, shared memory zone names "
        "of other modules); nginxlint checks duplicate directives (NGX007) and lua_shared_dict names (LUA204)",
        message=r"^duplicate (upstream|location)|is already declared for a different use|^duplicate zone|"
                r"^a duplicate listen"),
    Gap("missed", "two files each the default server of one socket: nginx refuses them together, so nginxlint takes "
        "them as alternatives an installer or a start script picks from (NGX035's doc), not as one config",
        message=r"^a duplicate default server"),
    Gap("missed", "a file a module package installs beside nginx.conf (Debian's modules-enabled/50-mod-stream.conf): "
        "the case does not ship it, a host or image with the package has it",
        message=r'^open\(\) "(?:\./)?modules-enabled/\d+-mod-'),
    Gap("missed", "nginx resolves host names at -t: the result depends on the machine's DNS",
        message=r"^host not found|^no port in upstream"),
    Gap("missed", "files nginx opens at -t besides configs (certificates, keys, DH params): the case does not ship "
        "them, and nginxlint does not check them", message=r"^cannot load certificate|^(PEM_read_bio|BIO_new_file)"),
    Gap("wrong-line", "a module file `load_module` names that this machine does not have (a vendor's module): nginx stops "
        "at the load, nginxlint goes on to the directives", message=r'^dlopen\(\) ".*" failed'),
    Gap("missed", "a main config without an events block: nginxlint does not require one",
        message=r'^no "events" section in configuration'),
    Gap("missed", "a fill-in placeholder the user replaces before use (`[FULLCHAIN FILE NAME]`): nginx counts its "
        "words as arguments, nginxlint reads it as one value to fill in and says so in a note",
        message=r"^invalid number of arguments", text=r"\[[A-Z][A-Z0-9_]*(?: [A-Z0-9_]+)+\]"),
    Gap("missed", "a provisioning script's `##NAME##` placeholder, which its `sed -i` fills in: nginx reads its `#` as a "
        "comment that hides the rest of the line, nginxlint reads it as one value to fill in and says so in a note",
        message=r"is not terminated by|^unexpected", text=r"(?<![\w#])##[A-Z][A-Z0-9_]*##"),
    Gap("missed", "a start script edits the config (`sed -i`) before nginx reads it in the container: nginx -t reads "
        "the files as the repository holds them, nginxlint as the container's start leaves them", text=r"\bsed\s+-i\b"),
    Gap("missed", "a path whose first part is an installer's upper-case token (`VALET_HOME_PATH/Log/x.log`), which "
        "the installer replaces before nginx reads the file: nginx -t opens it as the repository holds it",
        message=r'^open\(\) "[A-Z][A-Z0-9]*_[A-Z0-9_]*/'),
    Gap("wrong-line", "a file a renderer makes from the template beside it (`basics.conf` from `basics.conf.tpl`): "
        "nginx -t reads the repository as it stands, before anything is rendered", message=r'^open\(\) ".*" failed',
        when=_rendered_beside),
    Gap("wrong-line", "include cycle: nginx fails inside the second copy of the file (or crashes), nginxlint "
        "points at the include that closes the cycle (NGX003)", when=_cycle_reported),
    Gap("wrong-line", "a file that does not parse: nginx reads it directive by directive and may first stop at one in "
        "the wrong context, before the syntax error; nginxlint reports the syntax error (NGX001) and judges contexts "
        "only in a file that parses", message=r"directive is not allowed here$", when=_syntax_error_reported),
)


# Reported product bugs: the disagreement is nginxlint's fault; the corpus case stays red-but-xfailed until fixed.
BUGS: tuple[Gap, ...] = ()


def _case_text(case) -> str:
    parts = [c if isinstance(c, str) else c.decode("utf-8", "replace") for c in case.files.values()]
    if case.settings:
        parts.append(repr(case.settings))
    return "\n".join(parts)


def explain(outcome, case) -> str | None:
    """The reason of the first gap that covers this disagreement, or None."""
    message = (outcome.nginx.message or "") if outcome.nginx is not None else ""
    for gap in (*GAPS, *BUGS):
        # nginx stops at its first error: when nginxlint reports other errors in the file, a "missed" becomes a
        # "wrong-line", for the same reason
        if gap.kind != outcome.kind and not (gap.kind == "missed" and outcome.kind == "wrong-line"):
            continue
        if gap.message and not re.search(gap.message, message):
            continue
        if gap.text and not re.search(gap.text, _case_text(case)):
            continue
        if gap.when is not None and not gap.when(outcome, case):
            continue
        return ("product bug: " if gap.bug else "") + gap.reason
    return None
