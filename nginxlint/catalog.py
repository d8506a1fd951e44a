"""The rule catalog: one Markdown doc per rule in `rules/`, its front matter the rule's identity."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: str
    summary: str
    tags: tuple[str, ...]
    precision: str
    security_severity: str | None
    doc: str  # the Markdown body: What it does / Why is this bad? / Example / Use instead / References
    gixy: tuple[str, ...] = ()  # the gixy plugins this rule is equivalent to (coverage is machine-readable)
    severity_when: str = ""  # when a finding takes another severity than the default (e.g. "error when …")
    opt_in: bool = False  # advice most configs do not need: runs only when selected by its code or name
    production_only: bool = False  # matters only on a server the public reaches: quiet in fixture directories
    deployed_only: bool = False  # advice for deployed containers: quiet where only a development setup runs it
    own_code_only: bool = False  # about the project's own code: quiet in vendored sources
    outside_tests: bool = False  # an absence a test harness may fill: quiet in a test suite's directories
    fix: str = "none"  # front matter `fix`: always | sometimes | none (does a finding come with a Fix)
    fix_safety: str = ""  # front matter `fix-safety`: safe | unsafe | mixed (safe in some cases, unsafe in others)

    @property
    def fix_text(self) -> str:
        """ruff's wording: "Fix is always available." plus whether --fix applies it."""
        if self.fix == "none":
            return "Fix is not available."
        how = {"safe": "safe: `--fix` applies it", "unsafe": "unsafe: only `--fix --unsafe-fixes` applies it",
               "mixed": "safe or unsafe depending on the case: `--fix` applies the safe ones, `--unsafe-fixes` the rest"}
        return f"Fix is {self.fix} available ({how.get(self.fix_safety, self.fix_safety)})."

    @property
    def prefix(self) -> str:
        return self.code.rstrip("0123456789")


def docs_dir() -> Path:
    """`rules/` ships inside the wheel as `nginxlint/_rules`; an editable install reads the source tree."""
    here = Path(__file__).resolve().parent
    packaged = here / "_rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(.)', r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def parse_front_matter(block: str) -> dict:
    """The front matter's flat `key: value` and `key: [a, b]` lines, without loading a YAML parser at start-up
    (tests check it agrees with PyYAML on every doc)."""
    meta: dict = {}
    for line in block.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.partition(":")
        value = value.split(" #", 1)[0].strip()
        if value.startswith("[") and value.endswith("]"):
            meta[key.strip()] = [_scalar(item) for item in value[1:-1].split(",") if item.strip()]
        else:
            meta[key.strip()] = _scalar(value)
    return meta


def parse_doc(text: str) -> tuple[dict, str]:
    match = FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise ValueError("a rule doc must start with front matter between --- lines")
    return parse_front_matter(match.group(1)), text[match.end():].lstrip("\n")


@functools.lru_cache(maxsize=None)
def load_catalog() -> dict[str, RuleInfo]:
    rules: dict[str, RuleInfo] = {}
    for path in sorted(docs_dir().glob("*.md")):
        meta, body = parse_doc(path.read_text(encoding="utf-8"))
        security = meta.get("security-severity")
        rules[meta["code"]] = RuleInfo(
            code=meta["code"],
            name=meta["name"],
            severity=meta["severity"],
            summary=meta["summary"],
            tags=tuple(meta.get("tags") or ()),
            precision=meta.get("precision", "high"),
            security_severity=None if security is None else str(security),
            doc=body,
            gixy=tuple(meta.get("gixy") or ()),
            severity_when=meta.get("severity-when", ""),
            opt_in=str(meta.get("opt-in", "false")).lower() == "true",
            fix=meta.get("fix", "none"),
            fix_safety=meta.get("fix-safety", ""),
            production_only=str(meta.get("production-only", "false")).lower() == "true",
            own_code_only=str(meta.get("own-code-only", "false")).lower() == "true",
            outside_tests=str(meta.get("outside-tests", "false")).lower() == "true",
            deployed_only=str(meta.get("deployed-only", "false")).lower() == "true",
        )
    return rules
