"""Home Assistant add-ons whose web interface is served through Home Assistant's ingress.

An add-on (a directory whose `config.yaml` names its `slug`) with `ingress: true` is reached on its `ingress_port`
(8099 unless set) only through Home Assistant, which proxies the browser's requests to it and sends the answers
on. Home Assistant's HTTP server adds `Referrer-Policy: no-referrer`, `X-Content-Type-Options: nosniff` and
`X-Frame-Options: SAMEORIGIN` to every answer it sends (homeassistant/components/http/headers.py), so an add-on's
nginx that drops those three drops nothing the browser would have got.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from ..nginx.templates import is_unknown

# Response headers Home Assistant's HTTP server sets on every answer, the ingress proxy's too (lower case)
ADDED_BY_INGRESS = frozenset({"referrer-policy", "x-content-type-options", "x-frame-options"})
_CONFIG_NAMES = ("config.yaml", "config.yml", "config.json")
_DEFAULT_INGRESS_PORT = "8099"
# An add-on keeps the files of its image below `rootfs/` (`rootfs/etc/nginx/servers/ingress.conf`), as Home
# Assistant's add-on template lays them out (`rootfs_overlay/` too)
_ROOTFS = "rootfs"


def behind_ingress(loader, server) -> bool:
    """The server listens on its add-on's ingress port (`%%port%%` or a template's tag filled with it, or the port
    itself): Home Assistant's ingress proxy is its only client."""
    path = server.file.path if server is not None and server.d is not None else None
    if path is None or _ROOTFS not in os.fspath(path):
        return False
    port = loader.once("home-assistant-port", path,
                       lambda: _ingress_port(loader, Path(os.path.abspath(path)).parent))  # once per file
    if port is None:
        return False
    for listen in server.find("listen"):
        address = listen.args[0] if listen.args else ""
        if "%%port%%" in address or is_unknown(address) or address.rsplit(":", 1)[-1] == port:
            return True
    return False


def _ingress_port(loader, directory: Path) -> str | None:
    """The ingress port of the add-on whose directory holds `directory`, or None when it is none or has no ingress."""
    top = loader.repository_top(directory)
    for folder in (directory, *directory.parents):
        config = loader.once("home-assistant-addon", folder, lambda folder=folder: _addon_config(folder))
        if config is not None:
            return str(config.get("ingress_port", _DEFAULT_INGRESS_PORT)) if config.get("ingress") is True else None
        if folder == top:
            return None
    return None


def _addon_config(folder: Path) -> dict | None:
    for name in _CONFIG_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
            config = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError):
            return None
        return config if isinstance(config, dict) and "slug" in config else None
    return None
