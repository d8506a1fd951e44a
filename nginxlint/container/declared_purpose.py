"""What a file says of its own purpose in its opening comment: a config or a Compose file made for development,
tests or benchmarks, or not for production ("DO NOT use this configuration in production", "¡FOR LOCAL
DEVELOPMENT/DEMONSTRATION ONLY!"). Advice for a server the public reaches is quiet on such a file."""
from __future__ import annotations

import re

# What an opening comment says of its file when it is not for serving users: "DO NOT use this configuration in
# production", "for local development", a benchmark's or a test's config, in English or Chinese (性能基准测试
# "performance benchmark", 冒烟测试 "smoke test", 端到端测试 "end-to-end test", 开发测试用 "for development tests",
# 生产环境请勿使用 "do not use in production").
_NOT_FOR_PRODUCTION_CONFIG = re.compile(
    r"\b(?:do not|don't|never) use (?:this|it)\b[^.;]{0,40}\b(?:in|for) production\b"
    r"|\bnot (?:intended|meant|suitable|designed) (?:for|to be used in) production\b"
    r"|\b(?:for|in) local development\b|\bdevelopment environment configuration\b"
    r"|\bfor (?:development|testing|benchmark(?:ing|s)?) (?:only|purposes)\b"
    r"|\b(?:benchmark|load[- ]test|smoke[- ]test|end-to-end test|e2e test)(?:ing)? (?:config|configuration)\b"
    r"|基准测试|冒烟测试|端到端测试|[开開][发發]测试|仅用于(?:开发|测试|演示)"
    r"|生产环境(?:中)?(?:请勿|不要|禁止)|请勿用于生产",
    re.IGNORECASE)


def declared_not_for_production(text: str) -> bool:
    """The file's opening comment (the lines above its first directive or key) says it is for development, tests or
    benchmarks, or not for production: a config's, or a Compose file's (`¡FOR LOCAL DEVELOPMENT/DEMONSTRATION
    ONLY!`)."""
    comment = _opening_comment(text)
    return bool(_NOT_FOR_PRODUCTION_CONFIG.search(comment)) and not _USED_TO_DEPLOY.search(comment)


# A comment that names a deployment the file serves as well ("for local development … Used for local/offline
# deployment"): some deployment runs it
_USED_TO_DEPLOY = re.compile(r"\bused (?:for|in)\b[^.;]{0,40}\bdeployments?\b", re.IGNORECASE)


def _opening_comment(text: str) -> str:
    lines = []
    for line in text[:4000].split("\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return " ".join(lines)
