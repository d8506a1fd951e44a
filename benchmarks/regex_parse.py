"""Regex parser speed: import and first-parse cost (cold and warm table cache), then patterns/second.

    python benchmarks/regex_parse.py [--quick] [--patterns 10000] [--runs 7] [--seed 3]

Each start-up figure is the median, over fresh processes, of the time measured inside the process:
- import: `import nginxlint.regex` alone (lark must not load);
- first parse, cold: one parse with an empty cache directory (lark loads, LALR tables are built and saved);
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


PROBE = (
    "import sys, time\n"
    "t0 = time.perf_counter()\n"
    "import nginxlint.regex as r\n"
    "t1 = time.perf_counter()\n"
    "assert 'lark' not in sys.modules\n"
    "r.parse_regex(r'^/api/(?<v>v\\d+)/(.*)$')\n"
    "t2 = time.perf_counter()\n"
    "print(t1 - t0, t2 - t1)\n"
)


def startup(runs: int) -> dict[str, float]:
    """Medians of in-process timings (interpreter start-up excluded); cold and warm runs take turns, so a slow
    spell of the machine falls on both."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    imports, cold, warm = [], [], []
    with tempfile.TemporaryDirectory() as cache:
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as empty:
                out = subprocess.run([sys.executable, "-c", PROBE], env=dict(env, NGINXLINT_CACHE_DIR=empty),
                                     check=True, capture_output=True, text=True).stdout.split()
                imports.append(float(out[0]))
                cold.append(float(out[1]))
            subprocess.run([sys.executable, "-c", PROBE], env=dict(env, NGINXLINT_CACHE_DIR=cache), check=True,
                           capture_output=True)  # the tables are in the cache from here on
            out = subprocess.run([sys.executable, "-c", PROBE], env=dict(env, NGINXLINT_CACHE_DIR=cache),
                                 check=True, capture_output=True, text=True).stdout.split()
            imports.append(float(out[0]))
            warm.append(float(out[1]))
    return {
        "import nginxlint.regex (no lark)": statistics.median(imports),
        "first parse, cold (lark, tables built)": statistics.median(cold),
        "first parse, warm (lark, tables read)": statistics.median(warm),
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
    parser.add_argument("--patterns", type=int, default=10000)  # under the memo's 20,000 entries
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.patterns, args.runs = 2000, 3
    with tempfile.TemporaryDirectory() as cache:
        os.environ["NGINXLINT_CACHE_DIR"] = cache  # the user's cache stays untouched
        for label, seconds in startup(args.runs).items():
            print(f"{label:40} {seconds * 1000:8.1f} ms")
        result = throughput(args.patterns, args.seed)
    print(f"{'patterns (distinct, realistic mix)':40} {result['patterns']:8d}  (mean {result['mean length']:.0f} chars)")
    print(f"{'parsed and analysed per second':40} {result['parsed/s']:8.0f}")
    print(f"{'memoised look-ups per second':40} {result['memo hits/s']:8.0f}")


if __name__ == "__main__":
    main()
