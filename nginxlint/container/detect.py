"""Cheap tests on names and text, made before any YAML is parsed.

Most YAML files of a repository are CI workflows, pre-commit hooks and tool settings: these tests let a run
pass them by without importing the manifest readers. They also name the ConfigMap keys that hold nginx
configs and the repository an image reference pulls from.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

# Where each workload kind keeps its pod template (None: the object is the pod).
POD_TEMPLATE_PATH: dict[str, tuple[str, ...] | None] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": None,
}
WORKLOAD_KINDS = frozenset(POD_TEMPLATE_PATH)
_COMPOSE_NAME = re.compile(r"(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml")
SERVICES_LINE = re.compile(r"^services\s*:", re.MULTILINE)
LOOKS_LIKE_KUBERNETES = re.compile(r"^(?:apiVersion|kind)\s*:", re.MULTILINE)
# A document's own `kind:` starts a line; a workload, a ConfigMap, or a List that may hold them.
_RUNTIME_KIND = re.compile(
    r"^kind\s*:\s*[\"']?(?:%s|ConfigMap|[A-Za-z]*List)[\"']?\s*(?:#.*)?$" % "|".join(sorted(WORKLOAD_KINDS)),
    re.MULTILINE,
)
_NGINX_KEY_SUFFIXES = (".conf", ".nginx", ".template")
_NGINX_PROGRAMS = frozenset({"nginx", "openresty", "nginx-debug"})
_RUNS_NGINX = re.compile(r"(?:^|[\s;&|/])(?:nginx|openresty|nginx-debug)(?:\s|$)")
# A manifest's text that names nginx or OpenResty anywhere (an image `nginx:1.27`, `bbb-docker-nginx`, a key): it may
# define their container or config.
NAMES_NGINX = re.compile(r"nginx|openresty", re.IGNORECASE)


# The files `docker compose` reads when no `-f` is given
DEFAULT_COMPOSE_FILES = frozenset({"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"})


def compose_file_rank(path: str) -> int:
    """How surely a Compose file is the deployed stack: 2 named for production (`docker-compose.prod.yml`), 1 the
    file `docker compose up` reads by default, 0 another variant (`docker-compose.tor-only.yml`)."""
    name = posixpath.basename(path)
    return 2 if PRODUCTION_NAME.search(name) else 1 if name in DEFAULT_COMPOSE_FILES else 0


# A file named for production (`docker-compose.prod.yml`, `compose.production.yaml`)
PRODUCTION_NAME = re.compile(r"(?:^|[._-])prod(?:uction)?(?:[._-]|$)", re.IGNORECASE)


def is_compose_path(path: str) -> bool:
    """compose.yaml, compose.override.yml, docker-compose.yml, docker-compose.prod.yaml, …"""
    return bool(_COMPOSE_NAME.fullmatch(posixpath.basename(path.replace("\\", "/"))))


def is_kubernetes_yaml(text: str) -> bool:
    """Some document starts a line with apiVersion: or kind:."""
    return bool(LOOKS_LIKE_KUBERNETES.search(text))


# The names kustomize reads a kustomization by.
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def may_hold_runtime(path: str, text: str) -> bool:
    """The file may describe a container nginx runs in: a Compose file, Kubernetes workloads or ConfigMaps, or a
    kustomization that generates ConfigMaps."""
    return is_compose_path(path) or bool(SERVICES_LINE.search(text) or _RUNTIME_KIND.search(text)) or \
        path.rsplit("/", 1)[-1] in KUSTOMIZATIONS and "configMapGenerator" in text


def is_nginx_key(key: str) -> bool:
    """A ConfigMap key that holds an nginx config (nginx.conf, default.conf, site.nginx, nginx.conf.template)."""
    return key.endswith(_NGINX_KEY_SUFFIXES)


def names_nginx(name: str) -> bool:
    """A name that says nginx's (`web-nginx-conf`, `openresty-sites`)."""
    name = name.lower()
    return "nginx" in name or "openresty" in name


def may_be_config(text: str) -> bool:
    """The text has nginx's punctuation: a number or a word (or a template tag, masked) is no nginx file."""
    return ";" in text or "{" in text


def may_be_nginx_entry(key: str, text: str) -> bool:
    """A ConfigMap entry that may hold an nginx config: its key says so (`default.conf`), and its text has nginx's
    punctuation."""
    return is_nginx_key(key) and may_be_config(text)


def looks_nginx_entry(configmap_name: str, key: str, text: str) -> bool:
    """A ConfigMap entry that holds an nginx config whatever container mounts it: the ConfigMap's name says nginx's
    too, or the key is `nginx.conf`, or the text is a site: a `server` block with a `listen` and a `location`
    (`vhost.conf` of a chart whose image comes from its values)."""
    return may_be_nginx_entry(key, text) and (names_nginx(configmap_name) or key == "nginx.conf"
                                              or all(part.search(text) for part in _A_SITE))


# What only an nginx site holds: a line opening a `server` block, a `listen` and a `location` in it.
_A_SITE = (re.compile(r"(?m)^\s*server\s*\{"), re.compile(r"(?m)^\s*listen\s+\S"),
           re.compile(r"(?m)^\s*location\s+[^;{]*\{"))


_EDITOR_LEFTOVERS = ("~", ".swp", ".swo", ".bak", ".orig")


def is_chart_template(path: Path) -> bool:
    """A file Helm renders into manifests: one under a chart's templates/ (beside Chart.yaml), whatever its
    extension (`configmap.yaml.tpl`), except partials (`_helpers.tpl`), NOTES.txt, hidden files and editors'
    backups, which Helm does not render into manifests."""
    if path.name.startswith(("_", ".")) or path.name.endswith(_EDITOR_LEFTOVERS) or path.name == "NOTES.txt" \
            or "templates" not in path.parts[:-1]:
        return False  # a partial, a hidden file or an editor's backup (`.x.yaml.swp`, which .helmignore leaves out)
    for directory in path.parents:
        if directory.name == "templates":
            return (directory.parent / "Chart.yaml").is_file()
    return False


def chart_directory(path: Path) -> Path | None:
    """The Helm chart a file belongs to: the nearest directory above it that holds a Chart.yaml."""
    for directory in path.parents:
        if (directory / "Chart.yaml").is_file():
            return directory
    return None


def image_repository(image: str) -> str:
    """'registry:5000/openresty/openresty:1.21@sha256:…' -> 'registry:5000/openresty/openresty'."""
    image = image.split("@", 1)[0]
    slash, colon = image.rfind("/"), image.rfind(":")
    return image[:colon] if colon > slash else image

# Images named for nginx that run no nginx: exporters, acme-companion, nginx-sso, nginx-ldap-auth.
_NGINX_HELPER = re.compile(r"exporter|companion|sso$|ldap-auth")


def is_nginx_container(container) -> bool:
    """The image (or the base image of its build) or the command runs nginx or OpenResty on a config of its own
    (a helper named for nginx does not count: an exporter sidecar, the Let's Encrypt companion, an auth server for
    `auth_request`; nor an ingress controller, which writes the config nginx runs from Ingress objects:
    ingress-nginx's controller, NGINX's nginx-ingress)."""
    for image in {container.image, container.base_image}:
        if not image:
            continue
        repository = image_repository(image).lower()
        last = repository.rsplit("/", 1)[-1]
        if ("nginx" in repository or "openresty" in repository) and not _NGINX_HELPER.search(last) \
                and "ingress" not in repository:
            return True
    argv = container.argv[:4]
    for index, word in enumerate(argv):
        words = word.split()
        if words and posixpath.basename(words[0]) in _NGINX_PROGRAMS:
            return True
        if index > 0 and argv[index - 1] == "-c" and _RUNS_NGINX.search(word):  # sh -c "… exec nginx …"
            return True
    return False


_IDLE_PROGRAMS = frozenset({"sleep", "tail", "cat", "true"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash"})


def is_idle_container(container) -> bool:
    """The container's command only keeps it alive (`sleep infinity`, `tail -f /dev/null`, `sh -c "while sleep
    1000; do :; done"`): a development shell, which runs no server of its own, whatever it mounts."""
    argv = container.argv
    if not argv:
        return False
    program = posixpath.basename(argv[0])
    if program in _SHELLS and len(argv) >= 3 and argv[1] == "-c":
        text = argv[2]
        words = set(re.findall(r"[\w.-]+", text))
        return not _RUNS_NGINX.search(text) and bool(words & {"sleep", "tail"}) and not words & _NGINX_PROGRAMS
    return program in _IDLE_PROGRAMS
