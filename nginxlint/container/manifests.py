"""Reading the manifests of a run: which YAML files may describe a container, and what they say.

A YAML file that cannot describe a container (a CI workflow, .pre-commit-config.yaml, .nginxlint.yaml) is
recognised from its text alone (`detect`): the Kubernetes and Compose readers are imported only when some file
needs them. Broken manifests become K8S404 findings, never exceptions.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import sources
from ..checks.load import invalid_manifest
from ..findings import Finding, Notification, Span
from ..nginx.templates import named_as_template
from ..workspace import list_files
from .detect import (KUSTOMIZATIONS, NAMES_NGINX, chart_directory, is_chart_template, is_compose_path,
                     is_kubernetes_yaml, is_nginx_container, is_nginx_key, may_hold_runtime)
from .model import ManifestProblem, RuntimeFacts

MANIFEST_SUFFIXES = (".yaml", ".yml")


@dataclass
class Manifests:
    """Everything read from the manifest files of one run."""

    workloads: list = field(default_factory=list)
    configmaps: list = field(default_factory=list)
    services: list = field(default_factory=list)  # Compose RuntimeFacts
    sources: dict = field(default_factory=dict)  # display path -> SourceFile of the YAML text
    absolute: dict = field(default_factory=dict)  # display path -> absolute Path
    unread: list = field(default_factory=list)  # (absolute Path, display path, text) of templates noted, not read
    # kustomize's configMapGenerator: ConfigMap name -> each generator's {key: repository Path or Inline}
    generated: dict = field(default_factory=dict)


def manifest_paths(workspace) -> list[Path]:
    """Manifests found under the linted paths plus those named by --manifests / `manifests`."""
    found: list[Path] = [absolute(Path(p)) for p in workspace.manifests]
    for named in workspace.loader.settings.manifests or ():
        path = Path(named)
        if path.is_dir():
            found.extend(absolute(file) for file in list_files(path)
                         if file.name.endswith(MANIFEST_SUFFIXES) or is_chart_template(file))
        else:
            found.append(absolute(path))
    return list(dict.fromkeys(found))


def manifest_texts(workspace, findings: list[Finding]) -> list[tuple[Path, str, str]]:
    """(path, display path, text) of the YAML files that may describe a container nginx runs in."""
    loader = workspace.loader
    found = []
    for path in manifest_paths(workspace):
        display = loader.display(path)
        if os.path.islink(path) and not os.path.exists(path):
            # a link into what a checkout may lack (a submodule not fetched): its target is out of view
            loader.skip(path, f"a symbolic link to {os.readlink(path)}, which is not in this checkout")
            continue
        try:
            text = loader.text(path)
        except sources.Binary:  # git-crypt's `\0GITCRYPT\0`: decrypted only where it is deployed
            loader.skip(path, "binary or encrypted (git-crypt), not YAML")
            continue
        except sources.Unreadable as why:
            findings.append(invalid_manifest(display, Span(1, 1, 1, 1), f"cannot read this manifest: it {why}"))
            continue
        if may_hold_runtime(display, text):  # not CI files, hooks, settings or test data
            loader.keep(path, text)
            found.append((path, display, text))
    return found


def read_manifests(workspace, texts, findings: list[Finding], notifications: list[Notification]) -> Manifests:
    from .compose import load_compose, project_env  # the manifest readers, only when a manifest is read
    from .files import kustomize_configmaps  # the manifest readers, only when a manifest is read
    from .kubernetes import load_kubernetes  # the manifest readers, only when a manifest is read

    loader = workspace.loader
    # A file the user named gets a warning when it cannot be read; one found by discovery, a note.
    named = {absolute(Path(p)) for p in [*(loader.settings.manifests or ()), *workspace.explicit]}
    result = Manifests()
    for path, display, text in texts:
        # a chart's file outside templates/ (`templates_disabled/`, `examples/`) holds the same tags, unrendered
        chart_template = is_chart_template(path) or chart_directory(Path(path)) is not None
        if named_as_template(os.path.basename(display)) and not chart_template:
            # docker-compose.template.yml: a script renders it
            notifications.append(Notification("note", "not read: a template of manifests (so named); the files made "
                                              "from it are read", display))
            result.unread.append((path, display, text))
            continue
        if os.path.basename(display) in KUSTOMIZATIONS:  # it generates ConfigMaps from files; it runs nothing
            for name, data in kustomize_configmaps(Path(path), text).items():
                result.generated.setdefault(name, []).append(data)
            continue
        compose_named = is_compose_path(display)
        kubernetes = is_kubernetes_yaml(text) and not compose_named
        doc = load_kubernetes(display, text, chart_template) if kubernetes else \
            load_compose(display, text, project_env(path))
        if not doc.skipped and any(problem.kind == "yaml" for problem in doc.problems):
            doc = replace(doc, skipped=_not_yaml_as_it_stands(text))
        if doc.skipped:
            level = "warning" if path in named else "note"
            notifications.append(Notification(level, f"not read: {doc.skipped}", display))
            result.unread.append((path, display, text))
            continue
        if kubernetes and doc.masked is not None:  # a chart template: its ConfigMaps' nginx configs read, its workloads not
            notifications.append(Notification("note", doc.masked.note, display))
            if doc.masked.regions:
                loader.masked[display] = doc.masked
            result.unread.append((path, display, text))
        if kubernetes:
            result.workloads.extend(doc.workloads)
            result.configmaps.extend(doc.configmaps)
            relevant = [w.span for w in doc.workloads if any(is_nginx_container(c) for c in w.containers)]
            relevant += [c.span for c in doc.configmaps if any(is_nginx_key(e.key) for e in c.entries)]
            got = bool(doc.workloads or doc.configmaps)
        else:
            result.services.extend(_refreshed_names(loader, path, doc, _marked_developer_stack(path, doc.services)))
            relevant = [s.span for s in doc.services if is_nginx_container(s.container)]
            got = bool(doc.services)
        noted = False
        for problem in doc.problems:
            # Broken YAML counts in a file that names nginx or OpenResty (it may define their container); an odd
            # value only where nginx runs (not in a Postgres StatefulSet), and so does a duplicate key of a
            # Kubernetes document (Compose refuses the file; the API server takes one). A broken file about other
            # services is left to their tools, with one note (its first problem).
            broken = problem.kind == "yaml" and not (kubernetes and problem.message.startswith("duplicate key"))
            span = problem.span or Span(1, 1, 1, 1)
            placeholder = _placeholder_line(text, span.line) if broken else None
            if placeholder:
                notifications.append(Notification("note", f"not read past line {span.line}: `{placeholder}` alone on "
                                                  "a line is a placeholder a script replaces before the file is "
                                                  "applied (a template of a manifest)", display, span))
            elif broken and not NAMES_NGINX.search(text):
                if not noted:
                    notifications.append(Notification("note", f"{_problem_text(problem)} (line {span.line}); it "
                                                      "names no nginx or OpenResty", display, span))
                noted = True
            elif broken or _inside(problem.span, relevant):
                findings.append(invalid_manifest(display, span, _problem_text(problem)))
        if got or doc.problems:
            result.sources[display] = loader.read(path)
            result.absolute[display] = path
    result.services = _merged_overrides(result.services)
    return result


# Compose's override file, which `docker compose` merges into the compose file beside it: one project
_OVERRIDE_FILE = re.compile(r"^((?:docker-)?compose)\.override(\.ya?ml)$", re.IGNORECASE)


def _merged_overrides(services):
    """An override file's services as the project they are merged into holds them: a Swarm stack's names
    (the base file's secrets, overlay networks or `deploy` keys) are the virtual IPs of the merged services too."""
    stable_in: dict[str, frozenset[str]] = {}
    for facts in services:
        stable_in[facts.path] = stable_in.get(facts.path, frozenset()) | facts.stable_names
    merged = []
    for facts in services:
        directory, name = os.path.split(facts.path)
        match = _OVERRIDE_FILE.match(name)
        base = next((stable_in[path] for path in (os.path.join(directory, match.group(1) + ext)
                                                  for ext in (match.group(2), ".yml", ".yaml"))
                     if path in stable_in), frozenset()) if match else frozenset()
        merged.append(replace(facts, stable_names=facts.stable_names | base) if base else facts)
    return merged


# A line that is one upper-case token of two words or more (`GEN3_DATE_LABEL`): a placeholder a deploy script
# replaces with YAML of its own, as gen3's g3k_manifest_filter does, where YAML wants a key.
_PLACEHOLDER_LINE = re.compile(r"[ \t]*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)[ \t]*")


def _placeholder_line(text: str, line: int) -> str | None:
    """The placeholder token on the line where the YAML broke, or on the line before (the parser stops on the key
    after it), or None."""
    lines = text.split("\n")
    for number in (line, line - 1):
        if 1 <= number <= len(lines) and (found := _PLACEHOLDER_LINE.fullmatch(lines[number - 1])):
            return found.group(1)
    return None


# A line that is only an ellipsis, indented: documentation's "the rest as before" inside a mapping (YAML's own
# `...` document end stands at the first column).
_ELISION = re.compile(r"^[ \t]+(?:\.\.\.|…)[ \t]*$", re.M)


# An installer's placeholder (`MARIADB_ROOT_PASSWORD: %%DB_ROOT_PASSWORD%%`, which its script replaces with sed): `%`
# cannot start a YAML value, so the file is YAML only once it is filled in
_PERCENT_PLACEHOLDER = re.compile(r"%%[A-Za-z_][A-Za-z0-9_]*%%")


def _not_yaml_as_it_stands(text: str) -> str | None:
    """Why broken YAML is no manifest: an excerpt for a reader to merge into a file (elision lines), or a template
    an installer fills in (its placeholders); None when it is a manifest that is broken."""
    if _ELISION.search(text):
        return "an excerpt of a manifest (its `...` lines stand for parts left out)"
    if _PERCENT_PLACEHOLDER.search(text):
        return "a template of a manifest whose %%NAME%% placeholders an installer replaces"
    return None


def _refreshed_names(loader, path, doc, services):
    """The Compose file's services; those the repository recreates on each deploy (redeploy.py) with the names of
    the containers recreated with them (the whole stack's, or the services named with them) among those nginx looks
    up again."""
    from .redeploy import recreated_with  # the repository's scripts, only when a Compose file is read

    refreshed = []
    for facts in services:
        together = recreated_with(loader, Path(path), facts.name)
        names = doc.names if together is None else frozenset(name.lower() for name in together)
        refreshed.append(replace(facts, stable_names=facts.stable_names | names) if names else facts)
    return refreshed


def _marked_developer_stack(path: Path, services):
    """The Compose file's services, marked as a developer's stack when it is one. The services only a development
    or test profile starts are marked already, and say nothing of the others (`profiles: [dev]` beside `[prod]`)."""
    from .dev_stack import developer_stack  # the Compose reader's companion, only when a Compose file is read

    others = [facts for facts in services if not facts.developer_stack]
    if others and developer_stack(path, others):
        return [replace(facts, developer_stack=True) for facts in services]
    return services


def _problem_text(problem: ManifestProblem) -> str:
    if problem.kind == "yaml":
        return f"invalid YAML: {problem.message}; nginxlint cannot read this document past this point"
    return f"{problem.message}; nginxlint cannot use this value"


def _inside(span, spans) -> bool:
    if span is None:
        return False
    return any(
        outer is not None and (outer[0], outer[1]) <= (span[0], span[1]) and (span[2], span[3]) <= (outer[2], outer[3])
        for outer in spans
    )


def containers(manifests: Manifests) -> list[RuntimeFacts]:
    """Every container the manifests describe, as the facts rules read."""
    result = []
    for workload in manifests.workloads:
        for container in workload.containers:
            result.append(RuntimeFacts.from_workload(workload, container))
    result.extend(manifests.services)
    return result


def absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))
