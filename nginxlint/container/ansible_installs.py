"""The packages a repository's Ansible tasks install: `apt: name=nginx`, `ansible.builtin.apt: {name: [nginx,
certbot]}`, `yum:`, `dnf:`, `apk:`, as (manager, package), read once per repository and run. Names a Jinja
expression gives (`{{ item }}`, `"{{ nginx_package }}"`) are left out: their value is the inventory's.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .. import sources

# The package modules, by their short and fully qualified names, and the manager each stands for
_MODULES = {name: manager for manager in ("apt", "apk", "yum", "dnf", "zypper")
            for name in (manager, f"ansible.builtin.{manager}", f"community.general.{manager}")}
_YAML_SUFFIXES = (".yml", ".yaml")


def ansible_packages(loader, top: Path) -> tuple[tuple[str, str], ...]:
    """(manager, package) of every package task in the YAML files under `top` that mention nginx or OpenResty."""
    return loader.once("ansible-packages", top, lambda: tuple(_packages(loader, top)))


def _packages(loader, top: Path):
    for directory, name in loader.files_below(top):
        if not name.endswith(_YAML_SUFFIXES):
            continue
        try:
            text = loader.text(directory / name)
        except sources.Unreadable:
            continue
        if "nginx" not in text and "openresty" not in text:
            continue
        try:
            documents = list(yaml.safe_load_all(text))
        except yaml.YAMLError:
            continue
        for document in documents:
            yield from _in_tasks(document)


def _in_tasks(node):
    """The package tasks anywhere in a playbook, a role's tasks file or a block."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                manager = _MODULES.get(key) if isinstance(key, str) else None
                if manager is not None:
                    yield from ((manager, package) for package in _names(value))
                elif isinstance(value, (list, dict)):
                    stack.append(value)


def _names(arguments) -> list[str]:
    """The packages of a module's arguments: `name:` (or `pkg:`) as a list, a comma list or one name, or the
    `name=nginx state=present` form."""
    if isinstance(arguments, str):
        fields = dict(part.split("=", 1) for part in arguments.split() if "=" in part)
        names = fields.get("name") or fields.get("pkg") or ""
    elif isinstance(arguments, dict):
        names = arguments.get("name", arguments.get("pkg", ""))
    else:
        return []
    if isinstance(names, str):
        names = names.split(",")
    if not isinstance(names, list):
        return []
    return [name.strip() for name in names if isinstance(name, str) and name.strip() and "{{" not in name]
