"""Read services from Docker Compose files into the same Container shape as Kubernetes."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import replace
from pathlib import Path

from ..nginx.values import parse_uint
from .detect import SERVICES_LINE, is_compose_path
from .fields import FieldReader
from .model import (UNPRIVILEGED_PORT_START, ComposeDoc, Container, ManifestProblem, Mount, Port, Probe, RuntimeFacts,
                    Span, Value, healthcheck_probe, port_number)
from .quantity import parse_decimal_cpus, parse_docker_bytes, parse_duration
from .yamlpos import YMap, YNode, YScalar, YSeq, load_yaml

# Compose profiles a developer or a test run starts (`--profile testing`), never the deployed stack
_DEVELOPMENT_PROFILE = re.compile(r"dev|devel|develop|development|debug|local|tests?|testing|e2e|ci", re.IGNORECASE)
_MAX_PORT_RANGE = 1024


def compose_services(root: YNode | None, named: bool) -> YMap | None:
    """The mapping of services: a top-level `services:` whose entries are mappings (GitLab CI's `services:` is a
    list), or in a file named as Compose, the top level of the first format (Compose v1, before `services:` and
    `version:`), whose every entry is a service with an `image` or a `build`."""
    if not isinstance(root, YMap) or "apiVersion" in root:
        return None
    services = root.get("services")
    if isinstance(services, YMap) and len(services) > 0 and all(
            isinstance(service, YMap) or (isinstance(service, YScalar) and service.value is None)
            for _key, _key_node, service in services.items()):
        return services
    if named and services is None and "version" not in root and len(root) > 0 and all(
            isinstance(service, YMap) and ("image" in service or "build" in service)
            for _key, _key_node, service in root.items()):
        return root
    return None


_INTERPOLATION = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?[-?+])([^}]*))?\}|(\w+))")


def interpolate(text: str, env: dict[str, str]) -> str | None:
    """`text` as Compose reads it after interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
    `${VAR:+alt}`, `$$`), with the variables of the project's .env; None when a value is not known here."""
    unknown = False

    def value(match):
        nonlocal unknown
        if match.group(1):
            return "$"
        name = match.group(2) or match.group(5)
        operator, word = match.group(3), match.group(4) or ""
        current = env.get(name)
        if operator in (":-", "-"):
            if current is None or (operator == ":-" and current == ""):
                return word
            return current
        if operator in (":+", "+"):
            if current is None:
                unknown = True
                return ""
            return word if current != "" or operator == "+" else ""
        if current is None:  # plain or `:?`: the shell environment of whoever runs Compose decides
            unknown = True
            return ""
        return current

    result = _INTERPOLATION.sub(value, text)
    return None if unknown else result


def interpolated(text: str, env: dict[str, str]) -> str:
    """`text` interpolated where every variable has a value here, else as written (a value nginxlint cannot name)."""
    return interpolate(text, env) or text if "$" in text else text


def read_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines of a Compose project's .env (comments, `export` and quotes as Compose reads them)."""
    env = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _equals, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        env[name.strip()] = value
    return env


# The .env a project ships as the one to copy (`cp .env_template .env`) when the real one is kept out of the repository
_ENV_TEMPLATES = (".env", ".env.example", ".env_template", ".env.template", ".env.dist", ".env.sample", "env.example")


def project_env(path: Path) -> dict[str, str]:
    """The variables Compose interpolates from: the .env file next to the Compose file (else the example of it the
    project ships to copy), over the shell's working directory, `${PWD}` (`${PWD}/conf:/etc/nginx/conf.d`), taken to
    be the Compose file's own directory, where `docker compose` is run."""
    env = {"PWD": os.path.abspath(path.parent)}
    for name in _ENV_TEMPLATES:
        env_file = path.parent / name
        try:
            if env_file.is_file():
                env.update(read_env_file(env_file.read_text(encoding="utf-8", errors="replace")))
                break
        except OSError:
            continue
    return env


# A Jinja control tag (`{% if %}`, `{%- set x %}`): what the rendered file holds is out of view
_CONTROL_TAG = re.compile(r"\{%-?[ \t]*[a-z]+\b")
# A Jinja or Go template tag: a control tag, `{{ name }}`, `{{ .Values.x }}`. No Compose value holds one unquoted, so
# YAML that breaks where such tags are is a template, not a broken Compose file.
_TEMPLATE_TAG = re.compile(_CONTROL_TAG.pattern + r"[^\n]*?%\}|\{\{-?[ \t]*[\w.$][^\n]*?\}\}")


def load_compose(path: str, text: str, env: dict[str, str] | None = None) -> ComposeDoc:
    """Every service of a Compose file; a file that is not Compose gives an empty result. `env` holds the
    variables of the project's .env, for interpolation."""
    parsed = load_yaml(text)
    root = parsed.documents[0].root if parsed.documents else None
    named = is_compose_path(path)
    templated = bool((named or SERVICES_LINE.search(text)) and _TEMPLATE_TAG.search(text))
    if templated and (parsed.problems or _CONTROL_TAG.search(text)):
        # a Compose file a setup tool renders (`{% set %}`, `{{ flavor }}`): its YAML exists only once rendered
        return ComposeDoc(path, skipped="unrendered template (Jinja or Go tags); render it to lint it")
    services = compose_services(root, named)
    if services is None:
        if parsed.problems and (named or SERVICES_LINE.search(text)):
            return ComposeDoc(path, problems=_yaml_problems(path, parsed.problems))
        return ComposeDoc(path)
    names = _network_names(services)
    reader = _ComposeReader(path, root, env or {})
    read = [reader.read_service(name, key_node.span, service)
            for name, key_node, service in services.items() if isinstance(service, YMap)]
    stable = _swarm_virtual_ips(root, services) | _fixed_addresses(services)
    restarted = _restarted_with(services)
    services = [replace(facts, stable_names=stable | restarted.get(facts.name, frozenset())) for facts in read]
    document_problems = [p for d in parsed.documents[:1] for p in d.problems]
    problems = _yaml_problems(path, parsed.problems + tuple(document_problems)) + tuple(reader.problems)
    if templated:  # value tags only (`replicas: {{ proxy_replicas }}`): what they stand for is unknown, not wrong
        lines = text.split("\n")
        problems = tuple(p for p in problems if p.span is None or not _TEMPLATE_TAG.search(lines[p.span[0] - 1]))
    return ComposeDoc(path, tuple(services), tuple(sorted(problems, key=lambda p: p.span or (0, 0, 0, 0))),
                      names=names)


# `deploy` keys only `docker stack deploy` reads (Compose ignores them), and the network driver only Swarm has.
# (`mode: replicated` is the default either reads: only `mode: global` is Swarm's.)
_SWARM_ONLY_DEPLOY_KEYS = ("placement", "update_config", "rollback_config", "endpoint_mode")


def _swarm_virtual_ips(root: YMap, services: YMap) -> frozenset[str]:
    """In a Swarm stack a service's name resolves to a virtual IP that stays while the service exists, however
    its tasks are replaced (unless `endpoint_mode: dnsrr`); `docker compose` gives each container's own address."""
    deploys = {name: s.get("deploy") for name, _key, s in services.items() if isinstance(s, YMap)}
    networks = root.get("networks")
    overlay = isinstance(networks, YMap) and any(
        isinstance(n, YMap) and _scalar(n.get("driver")) == "overlay" for _name, _key, n in networks.items())
    # A secret created beforehand (`external: true`) exists only in a Swarm: `docker compose up` refuses it.
    secrets = root.get("secrets")
    external = isinstance(secrets, YMap) and any(
        isinstance(s, YMap) and str(_scalar(s.get("external"))).lower() == "true" for _name, _key, s in secrets.items())
    swarm = overlay or external or any(
        isinstance(d, YMap) and (any(d.get(k) is not None for k in _SWARM_ONLY_DEPLOY_KEYS)
                                 or str(_scalar(d.get("mode"))).lower() == "global") for d in deploys.values())
    # `extends` is Compose's alone: `docker stack deploy` refuses a file that uses it
    if not swarm or any(isinstance(s, YMap) and s.get("extends") is not None for _name, _key, s in services.items()):
        return frozenset()
    return frozenset(name.lower() for name, d in deploys.items()
                     if not (isinstance(d, YMap) and _scalar(d.get("endpoint_mode")) == "dnsrr"))


def _network_names(services: YMap) -> frozenset[str]:
    """The names the stack's containers answer to on its networks: each service's, its `container_name` and
    `hostname`, and its network `aliases`."""
    names = set()
    for name, _key, service in services.items():
        names.add(name.lower())
        if not isinstance(service, YMap):
            continue
        for key in ("container_name", "hostname"):
            if isinstance(value := _scalar(service.get(key)), str):
                names.add(value.lower())
        networks = service.get("networks")
        for _network, _k, network in networks.items() if isinstance(networks, YMap) else ():
            aliases = network.get("aliases") if isinstance(network, YMap) else None
            names.update(str(_scalar(alias)).lower() for alias in (aliases.items if isinstance(aliases, YSeq) else ()))
    return frozenset(names)


def _fixed_addresses(services: YMap) -> frozenset[str]:
    """The services whose every network gives them a fixed address (`ipv4_address`, `ipv6_address`): their names
    resolve to it however often the container is recreated."""
    fixed = set()
    for name, _key, service in services.items():
        networks = service.get("networks") if isinstance(service, YMap) else None
        if isinstance(networks, YMap) and networks.items() and all(
                isinstance(network, YMap) and (network.get("ipv4_address") is not None
                                               or network.get("ipv6_address") is not None)
                for _network, _k, network in networks.items()):
            fixed.add(name.lower())
    return frozenset(fixed)


def _dependencies(service: YMap) -> frozenset[str]:
    """The services a service starts after: its `depends_on` (a list, or a mapping of conditions) and its `links`."""
    return frozenset(_depends_on(service) | {parts[0] for parts in _links(service)})


def _depends_on(service: YMap) -> set[str]:
    depends = service.get("depends_on")
    if isinstance(depends, YSeq):
        return {str(_scalar(item)).lower() for item in depends.items}
    return {other.lower() for other, _k, _v in depends.items()} if isinstance(depends, YMap) else set()


def _links(service: YMap) -> list[list[str]]:
    """Each `links:` entry as its service name and alias (`db:database`), lower case."""
    links = service.get("links")
    entries = [[part.strip().lower() for part in str(_scalar(link) or "").split(":", 1) if part.strip()]
               for link in (links.items if isinstance(links, YSeq) else ())]
    return [parts for parts in entries if parts]


def _restarted_with(services: YMap) -> dict[str, frozenset[str]]:
    """For each service, the services (and link aliases) Compose restarts it with when it recreates them:
    `depends_on: {app: {restart: true}}`, and a `links:` entry that `depends_on` does not name, which Compose reads
    as such a dependency (compose-go's loader/normalize.go sets it only where none is declared). The service looks
    their names up again each time."""
    found = {}
    for name, _key, service in services.items():
        if not isinstance(service, YMap):
            continue
        declared = _depends_on(service)
        names = {part for parts in _links(service) if parts[0] not in declared for part in parts}
        depends = service.get("depends_on")
        for other, _k, dependency in depends.items() if isinstance(depends, YMap) else ():
            if isinstance(dependency, YMap) and str(_scalar(dependency.get("restart"))).lower() == "true":
                names.add(other.lower())
        if names:
            found[name] = frozenset(names)
    return found


def _scalar(node: YNode | None) -> object:
    return node.value if isinstance(node, YScalar) else None


def _yaml_problems(path, problems):
    return tuple(ManifestProblem(path, p.message, p.span, "yaml") for p in problems)


class _ComposeReader(FieldReader):
    def __init__(self, path: str, root: YMap, env: dict[str, str]) -> None:
        super().__init__(path)
        self.env = env
        configs = self.mapping(root.get("configs"), "configs")
        secrets = self.mapping(root.get("secrets"), "secrets")
        # Top-level configs/secrets: name -> host file, so a mounted config leads back to its file.
        self.files = {
            "config": self._declared_files(configs),
            "secret": self._declared_files(secrets),
        }

    def quantity(self, parent: YMap | None, key: str, parse, what: str) -> Value | None:
        """A limit as Compose reads it: `cpus: ${NGINX_CPU}` with `NGINX_CPU=0.5` in the project's .env is 0.5."""
        node = parent.get(key) if parent is not None else None
        if isinstance(node, YScalar) and isinstance(node.value, str) and "$" in node.value:
            text = interpolate(node.value, self.env)
            parsed = parse(text) if text else None
            if parsed is not None:  # shown as Compose reads it: `cpus 0.5`, not `cpus ${NGINX_CPU}`
                return Value(parsed, node.span, text, parent.key_span(key))
        return super().quantity(parent, key, parse, what)

    def _declared_files(self, declared: YMap | None) -> dict[str, str]:
        files = {}
        for name, _key, entry in declared.items() if declared else ():
            file = self.string(entry.get("file"), f"{name}.file") if isinstance(entry, YMap) else None
            if file:
                files[name] = file
        return files

    def _image(self, node) -> str | None:
        """The image a service runs, as Compose reads it: `${NGINX_IMAGE:-nginx:1.27}` is nginx:1.27 unless the
        project's .env sets NGINX_IMAGE; a variable with no value here keeps the text (an image nginxlint cannot
        name)."""
        text = self.string(node, "image")
        return text if text is None else self._interpolated(text)

    def read_service(self, name: str, name_span: Span, service: YMap) -> RuntimeFacts:
        deploy = self.mapping(service.get("deploy"), "deploy")
        resources = self.mapping(deploy.get("resources"), "deploy.resources") if deploy else None
        limits = self.mapping(resources.get("limits"), "deploy.resources.limits") if resources else None
        reservations = self.mapping(resources.get("reservations"), "deploy.resources.reservations") if resources else None
        command, command_spans = self._argv(service.get("entrypoint"), "entrypoint")
        args, args_spans = self._argv(service.get("command"), "command")
        env, env_values = self._environment(service.get("environment"))
        image_node = service.get("image")
        user = self.value(service, "user", self.string, "user")
        container = Container(
            name=name, path=self.path, span=service.span, source="compose", name_span=name_span,
            image=self._image(image_node), image_span=image_node.span if image_node is not None else None,
            command=command, command_spans=command_spans, args=args, args_spans=args_spans,
            working_dir=self.value(service, "working_dir", self.string, "working_dir"),
            cpu_limit=self.quantity(limits, "cpus", parse_decimal_cpus, "cpus")
            or self.quantity(service, "cpus", parse_decimal_cpus, "cpus"),
            cpu_request=self.quantity(reservations, "cpus", parse_decimal_cpus, "cpus"),
            memory_limit=self.quantity(limits, "memory", parse_docker_bytes, "memory size")
            or self.quantity(service, "mem_limit", parse_docker_bytes, "memory size"),
            memory_request=self.quantity(reservations, "memory", parse_docker_bytes, "memory size")
            or self.quantity(service, "mem_reservation", parse_docker_bytes, "memory size"),
            read_only_root=self.value(service, "read_only", self.boolean, "read_only"),
            run_as_non_root=_non_root(user),
            run_as_user=_uid(user),
            user=user,
            ports=self._ports(service.get("ports")),
            probes=self._healthcheck(service.get("healthcheck")),
            env=env, env_values=env_values,
            env_from=tuple(
                Value(self.string(item, "env_file"), item.span)
                for item in self._one_or_many(service.get("env_file"), "env_file")
                if isinstance(item, YScalar)
            ),
            mounts=self._mounts(service),
            stop_signal=self.value(service, "stop_signal", self.string, "stop_signal"),
            platform=self.value(service, "platform", self.string, "platform"),
            build_source=self._build(service.get("build")),
            restart=self.value(service, "restart", self.string, "restart"),
            nofile_soft=self._nofile(service.get("ulimits")),
            unprivileged_port_start=self._unprivileged_port_start(service.get("sysctls")),
            host_network=self._host_network(service),
            pinned_hosts=self._extra_hosts(service.get("extra_hosts")),
        )
        return RuntimeFacts(
            source="compose", path=self.path, name=name, container=container, span=service.span,
            replicas=self.value(deploy, "replicas", self.integer, "deploy.replicas"),
            termination_grace_period=self.quantity(service, "stop_grace_period", parse_duration, "duration"),
            developer_stack=self._in_development_profiles_only(service),
            depends_on=_dependencies(service),
        )

    def _in_development_profiles_only(self, service: YMap) -> bool:
        """The service starts only with a development or test profile (`profiles: [testing]`, which `docker compose
        --profile testing up` adds for a test run): the deployed stack runs without it."""
        names = [self.string(item, "profile") for item in self.sequence(service.get("profiles"), "profiles")]
        return bool(names) and all(name and _DEVELOPMENT_PROFILE.fullmatch(name) for name in names)

    def _unprivileged_port_start(self, node: YNode | None) -> Value | None:
        """`sysctls: {net.ipv4.ip_unprivileged_port_start: 0}` or `["net.ipv4.ip_unprivileged_port_start=0"]`."""
        if isinstance(node, YMap):
            found = node.get(UNPRIVILEGED_PORT_START)
            written = [(found.text, found.span)] if isinstance(found, YScalar) else []
        else:
            written = [(text, item.span) for item in self.sequence(node, "sysctls")
                       for name, _, text in [(self.string(item, "a sysctl") or "").partition("=")]
                       if name.strip() == UNPRIVILEGED_PORT_START]
        for text, span in written:
            number = port_number(text)
            if number is not None:
                return Value(number, span, text)
        return None

    def _extra_hosts(self, node: YNode | None) -> frozenset[str]:
        """The names `extra_hosts` pins: `["db:10.0.0.5", "api=10.0.0.6"]` or `{db: 10.0.0.5}`."""
        if isinstance(node, YMap):
            return frozenset(str(key).lower() for key, _key_node, _value in node.items())
        names = (self.string(item, "extra_hosts entry") for item in self.sequence(node, "extra_hosts"))
        return frozenset(re.split(r"[:=]", name, maxsplit=1)[0].strip().lower() for name in names if name)

    def _host_network(self, service: YMap) -> Value | None:
        mode = self.value(service, "network_mode", self.string, "network_mode")
        return Value(True, mode.span, mode.text, mode.key_span) if mode is not None and mode.value == "host" else None

    def _nofile(self, node: YNode | None) -> Value | None:
        """`ulimits: {nofile: N}` or `{nofile: {soft: N, hard: M}}`: the soft limit, with where it is written."""
        ulimits = self.mapping(node, "ulimits")
        if not ulimits:
            return None
        if isinstance(ulimits.get("nofile"), YMap):
            return self.value(self.mapping(ulimits.get("nofile"), "ulimits.nofile"), "soft", self.integer,
                              "ulimits.nofile.soft")
        return self.value(ulimits, "nofile", self.integer, "ulimits.nofile")

    def _build(self, node: YNode | None) -> tuple[str, str | None, str | None] | None:
        """`build: ./dir` or `build: {context, dockerfile, target}` as (context, dockerfile, target), interpolated
        (`build: ./${WEB_SERVER_TYPE}`); a variable with no value here keeps the text."""
        if isinstance(node, YScalar) and isinstance(node.value, str):
            return self._interpolated(node.value), None, None
        if isinstance(node, YMap):
            context = self.string(node.get("context"), "build.context") or "."
            dockerfile = self.string(node.get("dockerfile"), "build.dockerfile")
            return (self._interpolated(context), dockerfile and self._interpolated(dockerfile),
                    self.string(node.get("target"), "build.target"))
        return None

    def _interpolated(self, text: str) -> str:
        return interpolated(text, self.env)

    def _one_or_many(self, node: YNode | None, what: str) -> tuple[YNode, ...]:
        if isinstance(node, YSeq):
            return self.sequence(node, what)
        return () if node is None or (isinstance(node, YScalar) and node.value is None) else (node,)

    def _argv(self, node: YNode | None, what: str) -> tuple[tuple[str, ...], tuple[Span | None, ...]]:
        """A list, or a string split the way Compose splits it (shell words, no shell)."""
        if isinstance(node, YScalar) and isinstance(node.value, str):
            try:
                words = shlex.split(node.value)
            except ValueError as error:
                self.report(f"cannot split {what}: {error}", node.span)
                words = [node.value]
            return tuple(words), tuple(node.span for _ in words)
        return self.strings(node, what)

    def _environment(self, node: YNode | None) -> tuple[tuple[Value, ...], dict[str, Value]]:
        names, values = [], {}
        if isinstance(node, YMap):
            for name, key_node, value in node.items():
                names.append(Value(name, key_node.span, None, key_node.span))
                if isinstance(value, YScalar) and value.value is not None:
                    text = value.value if isinstance(value.value, str) else value.text
                    values[name] = Value(text, value.span, value.text, key_node.span)
            return tuple(names), values
        for item in self.sequence(node, "environment"):
            entry = self.string(item, "an environment entry")
            if entry is None:
                continue
            name, equals, text = entry.partition("=")
            names.append(Value(name, item.span))
            if equals:
                values[name] = Value(text, item.span, entry)
        return tuple(names), values

    # -- ports -------------------------------------------------------------
    def _ports(self, node: YNode | None) -> tuple[Port, ...]:
        ports = []
        for item in self.sequence(node, "ports"):
            if isinstance(item, YMap):
                target_node = item.get("target")
                if isinstance(target_node, YScalar) and isinstance(target_node.value, str) and "$" in target_node.value:
                    target = _int_or_none(interpolate(target_node.value, self.env))
                else:
                    target = self.integer(target_node, "ports target")
                published = item.get("published")
                published_value = published.value if isinstance(published, YScalar) else None
                if isinstance(published_value, str) and "$" in published_value:
                    published_value = interpolate(published_value, self.env)
                host = _int_or_none(published_value)
                protocol = (self.string(item.get("protocol"), "protocol") or "tcp").upper()
                address = self.string(item.get("host_ip"), "host_ip")
                ports.append(Port(target, self.string(item.get("name"), "port name"), item.span, protocol, host,
                                  address))
                continue
            text = self.string(item, "a port")
            if text is not None and "$" in text:
                text = interpolate(text, self.env)  # Compose interpolates before it reads the mapping
            if text is None:
                continue  # a value only the environment of `docker compose` knows
            parsed = _short_port(text)
            if parsed is None:
                self.report(f"invalid port mapping {text!r}", item.span)
                continue
            numbers, hosts, protocol, address = parsed
            for index, number in enumerate(numbers):
                host = hosts[index] if index < len(hosts) else (hosts[0] if len(hosts) == 1 else None)
                ports.append(Port(number, None, item.span, protocol, host, address))
        return tuple(ports)

    # -- healthcheck -------------------------------------------------------
    def _healthcheck(self, node: YNode | None) -> tuple[Probe, ...]:
        check = self.mapping(node, "healthcheck")
        if check is None or self.boolean(check.get("disable"), "healthcheck.disable"):
            return ()
        test = check.get("test")
        if test is None:
            return ()
        if isinstance(test, YScalar) and isinstance(test.value, str):
            words = ("CMD-SHELL", test.value)
        else:
            words = self.strings(test, "healthcheck.test")[0]
        if not words or words[0] == "NONE":
            return ()
        command = words[1:] if words[0] in ("CMD", "CMD-SHELL") else words
        return (healthcheck_probe(tuple(command), check.span, test.span),)

    # -- mounts ------------------------------------------------------------
    def _mounts(self, service: YMap) -> tuple[Mount, ...]:
        mounts = []
        for item in self.sequence(service.get("volumes"), "volumes"):
            mount = self._volume(item)
            if mount is not None:
                mounts.append(mount)
        for item in self._one_or_many(service.get("tmpfs"), "tmpfs"):
            text = self.string(item, "tmpfs")
            if text:
                path, _colon, options = text.partition(":")
                size = re.search(r"(?:^|,)size=([^,]+)", options)
                mounts.append(Mount(path, None, "tmpfs", False, item.span, medium="tmpfs",
                                    size_limit=size[1] if size else None))
        for kind, default_dir in (("config", "/"), ("secret", "/run/secrets/")):
            for item in self.sequence(service.get(kind + "s"), kind + "s"):
                mount = self._config(item, kind, default_dir)
                if mount is not None:
                    mounts.append(mount)
        return tuple(mounts)

    def _volume(self, item: YNode) -> Mount | None:
        if isinstance(item, YMap):
            target = self.string(item.get("target"), "volume target")
            if target is None:
                self.report("volume without a target", item.span)
                return None
            kind = self.string(item.get("type"), "volume type") or "volume"
            source = self.string(item.get("source"), "volume source")
            read_only = bool(self.boolean(item.get("read_only"), "read_only"))
            tmpfs = self.mapping(item.get("tmpfs"), "tmpfs") if kind == "tmpfs" else None
            size = self.string(tmpfs.get("size"), "tmpfs size") if tmpfs else None
            return Mount(target, source if kind == "volume" else None, kind, read_only, item.span, source=source,
                         medium="tmpfs" if kind == "tmpfs" else None, size_limit=size)
        text = self.string(item, "a volume")
        if not text:
            return None
        text = interpolate(text, self.env) or text  # `${PWD}/conf:/etc/nginx/conf.d`, `${DATA_DIR:-./data}:/data`
        parts = text.split(":")
        if len(parts) == 1:  # anonymous volume at this path
            return Mount(parts[0], None, "volume", False, item.span)
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else ""
        read_only = "ro" in mode.split(",")
        bind = source.startswith((".", "/", "~", "$"))
        return Mount(target, None if bind else source, "bind" if bind else "volume", read_only, item.span,
                     source=source)

    def _config(self, item: YNode, kind: str, default_dir: str) -> Mount | None:
        if isinstance(item, YMap):
            name = self.string(item.get("source"), f"{kind} source")
            target = self.string(item.get("target"), f"{kind} target")
        else:
            name, target = self.string(item, kind), None
        if not name:
            return None
        if not target:
            target = default_dir + name
        elif kind == "secret" and not target.startswith("/"):
            target = default_dir + target
        return Mount(target, name, kind, True, item.span, source=self.files[kind].get(name))


def _short_port(text: str) -> tuple[list[int], list[int], str, str | None] | None:
    """'8080:80', '127.0.0.1:8080:80/udp', '[::1]:80:80', '8000-8001:80-81', '80' -> container ports, host ports,
    protocol, host address (None: every address)."""
    text, _slash, protocol = text.partition("/")
    address = None
    if text.startswith("["):  # IPv6 host address
        closing = text.find("]:")
        if closing < 0:
            return None
        address, text = text[1:closing], text[closing + 2:]
    parts = text.rsplit(":", 2)
    container = _port_range(parts[-1])
    host = _port_range(parts[-2]) if len(parts) >= 2 and parts[-2] else []
    if container is None or host is None:
        return None
    if len(parts) == 3:
        address = parts[0]
    return container, host, (protocol or "tcp").upper(), address


def _port_range(text: str) -> list[int] | None:
    first_text, _dash, last_text = text.partition("-")
    first = parse_uint(first_text)
    last = parse_uint(last_text) if _dash else first
    if first is None or last is None or last < first or last - first > _MAX_PORT_RANGE or last > 65535:
        return None
    return list(range(first, last + 1))


def _int_or_none(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return parse_uint(value)


def _uid(user: Value | None) -> Value | None:
    """The numeric uid of `user: "1000:1000"`; None for a user name."""
    if user is None:
        return None
    uid = parse_uint(str(user.value).split(":", 1)[0])
    return Value(uid, user.span, user.text, user.key_span) if uid is not None else None


def _non_root(user: Value | None) -> Value | None:
    """Whether `user:` makes the process non-root; None when not set (the image decides)."""
    if user is None:
        return None
    name = str(user.value).split(":", 1)[0]
    return Value(name not in ("root", "0"), user.span, user.text, user.key_span)
