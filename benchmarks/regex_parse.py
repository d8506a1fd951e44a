"""Regex parser speed: import and first-parse cost (cold and warm table cache), then patterns/second.

    python benchmarks/regex_parse.py [--quick] [--patterns 20000] [--runs 5] [--seed 3]

Each start-up figure is the median of fresh processes:
- import: `import nginxlint.regex` alone (lark must not load);
- first parse, cold: import + one parse with an empty cache directory (lark loads, LALR tables are built and saved);
- first parse, warm: the same with the tables already cached.
Throughput parses a realistic mix of distinct nginx patterns (locations, rewrites, maps, server names) in one
process, every pattern new to the memo, analysis included; then the same list again (memo hits).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEMPLATES = [
    r"\.(?:{exts})$", r"^/{word}/(.*)$", r"^/api/v{n}/(?<{name}>[^/]+)/?$", r"^/{word}/(\d+)/{word}\.html$",
    r"^(?<sub>[a-z0-9-]+)\.{word}\.com$", r"^/{word}/(?P<{name}>[a-z0-9_-]{{1,{n}}})$", r"/\.(?!well-known){word}",
    r"^/(?:{words})(?:/|$)", r"(?i)\.({exts})$", r"^/{word}/(.+\.php)(/.*)?$", r"^/static/{word}/.+-[0-9a-f]{{{n}}}\.js$",
    r"^/(?<lang>en|de|{word})/(?<rest>.*)$", r"^Mozilla.*({words})", r"^/{word}/(\w+\s?)*$",
    r"^/(?:[^/]+/)*{word}\.(?:{exts})$", r"^(?:\d{{1,3}}\.){{3}}\d{{1,{n}}}$",
]
WORDS = ["api", "static", "images", "admin", "user", "files", "assets", "download", "blog", "health", "metrics",
         "docs", "app", "v2", "media", "thumbs", "uploads", "wp", "cdn", "auth"]
EXTS = ["jpg", "jpeg", "png", "gif", "css", "js", "svg", "woff2?", "ico", "map", "txt", "pdf"]


def realistic_mix(count: int, seed: int) -> list[str]:
    r = random.Random(seed)
    patterns: list[str] = []
    seen = set()
    while len(patterns) < count:
        text = r.choice(TEMPLATES).format(
            word=r.choice(WORDS) + str(r.randint(0, 999)), words="|".join(r.sample(WORDS, r.randint(2, 5))),
            exts="|".join(r.sample(EXTS, r.randint(2, 6))), name=r.choice(["id", "path", "file", "slug"]),
            n=r.randint(1, 64))
        if text not in seen:
            seen.add(text)
            patterns.append(text)
    return patterns


def _median_seconds(code: str, runs: int, cache: Path | None, fresh_cache: bool) -> float:
    times = []
    for _ in range(runs):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        with tempfile.TemporaryDirectory() as scratch:
            env["NGINXLINT_CACHE_DIR"] = scratch if fresh_cache else str(cache)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup(runs: int) -> dict[str, float]:
    parse_one = "import nginxlint.regex as r; r.parse_regex(r'^/api/(?<v>v\\d+)/(.*)$')"
    with tempfile.TemporaryDirectory() as cache:
        cache_path = Path(cache)
        subprocess.run([sys.executable, "-c", parse_one], check=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT), NGINXLINT_CACHE_DIR=cache))  # fill the cache
        return {
            "python alone": _median_seconds("pass", runs, cache_path, False),
            "import nginxlint.regex": _median_seconds(
                "import sys, nginxlint.regex; assert 'lark' not in sys.modules", runs, cache_path, False),
            "first parse, cold (tables built)": _median_seconds(parse_one, runs, None, True),
            "first parse, warm (tables cached)": _median_seconds(parse_one, runs, cache_path, False),
        }


def throughput(count: int, seed: int) -> dict[str, float]:
    from nginxlint.regex import parse_regex

    patterns = realistic_mix(count, seed)
    parse_regex("warm(up)")  # start-up is measured above
    start = time.perf_counter()
    for pattern in patterns:
        parse_regex(pattern)
    fresh = time.perf_counter() - start
    start = time.perf_counter()
    for pattern in patterns:
        parse_regex(pattern)
    memo = time.perf_counter() - start
    return {"patterns": count, "parsed/s": count / fresh, "memo hits/s": count / memo,
            "mean length": statistics.mean(len(p) for p in patterns)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 patterns and 3 runs per start-up figure")
    parser.add_argument("--patterns", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.patterns, args.runs = 2000, 3
    with tempfile.TemporaryDirectory() as cache:
        os.environ["NGINXLINT_CACHE_DIR"] = cache  # the user's cache stays untouched
        for label, seconds in startup(args.runs).items():
            print(f"{label:36} {seconds * 1000:8.1f} ms")
        result = throughput(args.patterns, args.seed)
    print(f"{'patterns (distinct, realistic mix)':36} {result['patterns']:8d}  (mean {result['mean length']:.0f} chars)")
    print(f"{'parsed and analysed per second':36} {result['parsed/s']:8.0f}")
    print(f"{'memoised look-ups per second':36} {result['memo hits/s']:8.0f}")


if __name__ == "__main__":
    main()
