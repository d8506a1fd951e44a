"""One answer on real repositories: for a file F, the findings located in F are the same whether the whole
repository is linted, a directory above F, or F alone (as pre-commit passes it).

Each copy listed in repos.yaml (under $NGINXLINT_REALWORLD, see run.py) is linked file by file into a temporary
directory and made a git repository there, so that "the repository" of a file named alone is the copy's root (the
copies themselves are plain directories and are never written to). In it: one whole-repository run, then a few
files alone (the files with findings first, then an nginx config, a Lua file and a manifest without findings) and
one file's parent directory, each compared with the whole run's findings in that file.

NGINXLINT_ONE_ANSWER_FILES sets how many files a repository gets (default 4; the whole test takes about a minute).
"""
from __future__ import annotations

import fnmatch
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_name = "realworld_run"
if _name in sys.modules:  # test_realworld.py loaded it already
    run = sys.modules[_name]
else:
    _spec = importlib.util.spec_from_file_location(_name, HERE / "run.py")
    run = importlib.util.module_from_spec(_spec)
    sys.modules[_name] = run  # dataclasses look their module up there
    _spec.loader.exec_module(run)

KEYS = ("code", "line", "column", "message")
FILES_PER_REPO = int(os.environ.get("NGINXLINT_ONE_ANSWER_FILES", "4"))
FILES_READ_BUDGET = 2000
WORKERS = 2  # the machine is shared: two runs at a time
# What a file without findings must be to be worth linting alone: the kinds of file nginxlint reads.
KINDS = {
    "config": ("nginx.conf", "*.conf", "*.nginx", "*.template", "conf.d/*", "sites-available/*", "sites-enabled/*"),
    "lua": ("*.lua",),
    "manifest": ("*.yaml", "*.yml", "Dockerfile", "Dockerfile.*", "*.dockerfile"),
}


def _present() -> list[str]:
    config = run.load_yaml("repos.yaml")
    return [e["name"] for e in config.get("repos", []) if run.copy_dir(e["name"]).is_dir()]


pytestmark = pytest.mark.skipif(
    not _present(), reason=f"no repository copies under {run.copies_root()} (set NGINXLINT_REALWORLD)"
)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: a real copy
        shutil.copy2(source, target)


def repository_copy(repo: str, where: Path) -> Path:
    """The copy of `repo`, linked into `where` and made a git work tree (nothing committed: git lists every file
    its .gitignore does not exclude, as nginxlint's discovery asks it)."""
    root = where / repo.replace("/", "+")
    shutil.copytree(run.copy_dir(repo), root, symlinks=True, copy_function=_link_or_copy,
                    ignore=shutil.ignore_patterns(".git"))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def lint(root: Path, target: str) -> tuple[dict[str, list[tuple]], int]:
    """`python -m nginxlint TARGET --format json` in `root`: (the findings by path, each as its KEYS; files read)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(run.PROJECT), env.get("PYTHONPATH")]))
    env.pop("GITHUB_ACTIONS", None)
    argv = [sys.executable, "-m", "nginxlint", target, "--format", "json", "--exit-zero"]
    proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, f"nginxlint {target}: {proc.stderr[-2000:]}"
    report = json.loads(proc.stdout)
    found: dict[str, list[tuple]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["path"], []).append(tuple(finding[k] for k in KEYS))
    return {path: sorted(items) for path, items in found.items()}, int(report["summary"]["files_checked"])


def listed_files(root: Path) -> list[str]:
    proc = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--others", "--exclude-standard"],
                          capture_output=True, check=True)
    return sorted(n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n)


def _kind(path: str) -> str | None:
    parts = path.split("/")
    for kind, patterns in KINDS.items():
        for pattern in patterns:
            if fnmatch.fnmatchcase("/".join(parts[-(pattern.count("/") + 1):]), pattern):
                return kind
    return None


def _spread(paths) -> list[str]:
    """A fixed order that is not alphabetical, so that the first few are not all from one directory."""
    return sorted(paths, key=lambda p: hashlib.sha1(p.encode("utf-8", "surrogateescape")).hexdigest())


def sample(repo: str, files: list[str], whole: dict, count: int) -> list[str]:
    """Up to `count` files: two with findings, then one of each kind without findings (the kinds taken in an order
    that turns with the repository, so that over all repositories each kind gets its turn), then more with findings."""
    listed = set(files)
    with_findings = _spread(p for p in whole if p in listed)
    kinds = list(KINDS)
    turn = int(hashlib.sha1(repo.encode()).hexdigest(), 16) % len(kinds)
    kinds = kinds[turn:] + kinds[:turn]
    without = {kind: _spread(p for p in files if p not in whole and _kind(p) == kind) for kind in kinds}
    order = with_findings[:2] + [without[k][0] for k in kinds if without[k]] + with_findings[2:]
    return order[:count]


def targets(repo: str, root: Path, whole: dict, files_read: int) -> list[tuple[str, str]]:
    """(file, what is linted) for the sampled files alone and for one file's directory."""
    # A file alone is linted in its whole repository, so each costs about a whole run: fewer of them in a large
    # repository (a couple of thousand files read per repository keeps the test near a minute).
    count = max(1, min(FILES_PER_REPO, FILES_READ_BUDGET // max(files_read, 1)))
    chosen = sample(repo, listed_files(root), whole, count)
    nested = [p for p in chosen if "/" in p]
    directory = nested[0] if nested else None  # a file at the top: its directory is the whole repository
    return [(p, p) for p in chosen] + ([(directory, directory.rsplit("/", 1)[0])] if directory else [])


def differences(whole: dict, jobs: list[tuple[str, str]], results: list[dict]) -> dict:
    """Every file whose findings differ between the whole run and the file alone or its directory."""
    found = {}
    for (path, target), got in zip(jobs, results):
        expected, got = whole.get(path, []), got.get(path, [])
        if got != expected:
            how = "alone" if target == path else f"directory {target}/"
            found.setdefault(path, {"whole": expected})[how] = got
    return found


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict[str, dict]:
    """The differences of every repository present, its runs spread over WORKERS processes, the largest first."""
    where = tmp_path_factory.mktemp("copies")
    roots = {repo: repository_copy(repo, where) for repo in _present()}
    with ThreadPoolExecutor(WORKERS) as pool:
        wholes = dict(zip(roots, pool.map(lambda repo: lint(roots[repo], "."), roots)))
        jobs = [(repo, job) for repo in sorted(roots, key=lambda r: -wholes[r][1])
                for job in targets(repo, roots[repo], *wholes[repo])]
        results = list(pool.map(lambda item: lint(roots[item[0]], item[1][1])[0], jobs))
    out = {}
    for repo in roots:
        mine = [(job, result) for (r, job), result in zip(jobs, results) if r == repo]
        out[repo] = differences(wholes[repo][0], [j for j, _ in mine], [res for _, res in mine])
    return out


@pytest.mark.parametrize("repo", _present())
def test_each_sampled_file_gets_the_whole_repositorys_answer(measured, repo):
    assert not measured[repo], json.dumps(measured[repo], indent=1)
