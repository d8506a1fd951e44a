"""Every real nginx config the repository holds: samples, the reliability corpus, and the rule cases' files."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
NOT_NGINX_SUFFIXES = (".yaml", ".yml", ".lua", ".moon", ".fnl", ".tl", ".yue", ".json", ".rockspec", ".toml", ".env", ".md", ".py", ".sh", ".txt",
                      ".crt", ".key", ".pem", ".sarif", ".ini", ".html", ".css", ".js", ".c", ".cc", ".cpp", ".h", ".so")


def _is_config_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    for activation in (".example", ".sample", ".dist"):  # a file a user activates by renaming it: judge its real name
        base = base.removesuffix(activation)
    return not base.endswith(NOT_NGINX_SUFFIXES) and "Dockerfile" not in base \
        and base not in ("manifest", ".env", ".gitignore", "config", "Makefile", "Vagrantfile") \
        and not base.startswith(("Procfile", ".env")) and not base.endswith(".mustache") \
        and "cont-init.d/" not in name and "logrotate.d/" not in name and "/sbin/" not in name \
        and not any(part in base for part in (".yml.", ".yaml.")) \
        and not (base.endswith(".tpl") and "/templates/" in name)  # s6 start scripts; Compose and Helm templates


def real_configs() -> list[tuple[str, str]]:
    """(name, text) of every nginx config file in samples/, tests/reliability/corpus and tests/rules/*.yaml."""
    found: dict[str, str] = {}
    for base in ("samples", "tests/reliability/corpus"):
        for path in sorted((ROOT / base).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if path.is_file() and _is_config_name(relative):
                text = path.read_bytes().decode("utf-8", "surrogateescape")
                found[relative] = text.replace("\r\n", "\n").replace("\r", "\n")
    for path in sorted((ROOT / "tests/rules").glob("*.yaml")):
        for number, case in enumerate(yaml.safe_load(path.read_text()).get("cases") or []):
            for name, text in (case.get("files") or {}).items():
                if isinstance(text, str) and _is_config_name(name) and not text.startswith("#!") \
                        and not (name.endswith("mime.types") and "types" not in text):  # a script, /etc/mime.types
                    found[f"{path.name}#{number}:{name}"] = text
    return sorted(found.items())
