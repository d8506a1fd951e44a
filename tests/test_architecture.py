"""The layout's rules, checked on the source: no import cycle, rule modules imported by the registry alone, no
module-level cache that outlives a run. (docs/ARCHITECTURE.md describes the layout.)"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "nginxlint"
# Modules of nginxlint/checks/ that are not rule modules: the registry and the codes found while loading.
NOT_RULES = {"nginxlint.checks", "nginxlint.checks.registry", "nginxlint.checks.load"}
# Module-level tables filled once at import, the same for every run.
IMPORT_TIME_TABLES = {("nginxlint.checks.registry", "RULES"), ("nginxlint.checks.registry", "SCOPES"),
                      # memos of pure functions of their key (the static directive table, a regex's text, the
                      # grammar): the same answer for every run, so sharing them across runs is no hidden state
                      ("nginxlint.nginx.directives", "_USABLE"), ("nginxlint.nginx.directives", "_FITS"),
                      ("nginxlint.regex", "_MEMO"),
                      ("nginxlint.regex.charsets", "_CATEGORY_CACHE"), ("nginxlint.regex.grammar", "_PARSER"),
                      # the versions data files, read on first use
                      ("nginxlint.nginx.releases", "_DIRECTIVE_SINCE"),
                      ("nginxlint.openresty.releases", "_BUNDLES"), ("nginxlint.openresty.releases", "_LUA_DIRECTIVES"),
                      ("nginxlint.openresty.releases", "_LUA_APIS")}


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


MODULES = _modules()


def _imports(name: str, tree: ast.Module) -> set[str]:
    """Every nginxlint module `name` imports, at the top or inside functions."""
    is_package = (PACKAGE.parent / name.replace(".", "/") / "__init__.py").is_file()
    package = name if is_package else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("nginxlint"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("nginxlint"):
                continue
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                found.add(candidate if candidate in MODULES else module)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, tree) for name, tree in MODULES.items()}


def test_no_import_cycle():
    state: dict[str, int] = {}
    cycles = []

    def visit(name, trail):
        state[name] = 1
        for target in sorted(GRAPH[name]):
            if target.startswith(name + "."):  # a package importing its own submodules is no cycle
                continue
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [name, target])
            elif target not in state:
                visit(target, trail + [target])
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    cycles = [c for c in cycles if not all(a.startswith(b + ".") or b.startswith(a + ".") for a, b in zip(c, c[1:]))]
    assert cycles == []


def test_rule_modules_are_imported_by_the_registry_alone():
    rule_modules = {m for m in MODULES if m.startswith("nginxlint.checks.") and m not in NOT_RULES}
    offenders = sorted(
        (importer, target)
        for importer, targets in GRAPH.items()
        for target in targets & rule_modules
        if importer not in rule_modules
    )
    assert offenders == []


def _module_level_containers(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            value = node.value
            empty = isinstance(value, (ast.Dict, ast.List, ast.Set)) and not getattr(value, "keys", getattr(value, "elts", None))
            call = isinstance(value, ast.Call) and getattr(value.func, "attr", getattr(value.func, "id", "")) in (
                "dict", "list", "set", "WeakKeyDictionary", "WeakValueDictionary", "defaultdict", "OrderedDict")
            if empty or call:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_no_module_level_cache_outlives_a_run():
    """A module-level dict that functions fill is state shared by every run in the process (tests, the language
    server, --jobs): per-run state lives on the run's Loader (`memo`) or its ConfigTree (`memo`)."""
    offenders = []
    for name, tree in MODULES.items():
        containers = _module_level_containers(tree)
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in ast.walk(function):
                target = None
                if isinstance(node, (ast.Assign, ast.AugAssign)):
                    for t in getattr(node, "targets", [getattr(node, "target", None)]):
                        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                            target = t.value.id
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and isinstance(node.func.value, ast.Name) \
                        and node.func.attr in ("setdefault", "append", "add", "update", "extend"):
                    target = node.func.value.id
                if target in containers and (name, target) not in IMPORT_TIME_TABLES:
                    offenders.append(f"{name}.{target} (filled in {function.name})")
    assert sorted(set(offenders)) == []


def test_no_reference_outside_the_repository():
    """Code cites only what the repository holds: docs/ and rules/, never a design note kept elsewhere."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "DESIGN.md" in line or "facts doc" in line or "../shared" in line
    ]
    assert offenders == []


def test_rule_functions_are_named_after_their_rules():
    """`def alias_traversal` checks rule alias-traversal; a function that finds several codes in one pass is a
    `check_…` function whose docstring names them."""
    from nginxlint.catalog import load_catalog
    from nginxlint.checks.registry import load_rules

    catalog = load_catalog()
    codes_of: dict = {}
    for code, function in load_rules().items():
        codes_of.setdefault(function, []).append(code)
    wrong = []
    for function, codes in codes_of.items():
        if len(codes) == 1:
            ok = function.__name__ == catalog[codes[0]].name.replace("-", "_")
        else:
            ok = function.__name__.startswith("check_") and all(c in (function.__doc__ or "") for c in codes)
        if not ok:
            wrong.append((function.__name__, codes))
    assert wrong == []
