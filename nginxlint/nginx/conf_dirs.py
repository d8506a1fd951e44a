"""Where nginx keeps its configuration, in the packages and images that install it."""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

# Where distributions keep nginx.conf: an absolute include under one of these means "next to the main config".
CONF_PREFIXES = ("/etc/nginx/", "/usr/local/openresty/nginx/conf/", "/usr/local/nginx/conf/", "/etc/openresty/")
# nginx's configuration directories: a COPY to one of them without a trailing slash puts the file inside
# (`ADD conf/nginx.conf /usr/local/openresty/nginx/conf`), never in its place.
NGINX_DIRECTORIES = frozenset({prefix.rstrip("/") for prefix in CONF_PREFIXES} | {"/etc/nginx/conf.d"})


def disabled_site(path) -> bool:
    """A file of `sites-available/` beside a `sites-enabled/` that holds no entry of its name or linking to it:
    Debian's layout, whose nginx.conf includes only sites-enabled/*, so the site is switched off."""
    if path is None:
        return False
    path = Path(path)
    enabled = path.parent.parent / "sites-enabled"
    if path.parent.name != "sites-available" or not enabled.is_dir():
        return False
    for entry in enabled.iterdir():
        if entry.name in (path.name, path.stem):
            return False
        try:
            if entry.is_symlink() and Path(os.readlink(entry)).name == path.name:
                return False
        except OSError:
            continue
    return True


# `# include cors_support.conf;`: an include a config keeps commented out, to switch the file on by hand
_COMMENTED_INCLUDE = re.compile(r"^[ \t]*#+[ \t]*include[ \t]+[\"']?([^\s;\"']+)", re.MULTILINE)


def commented_out(loader, path: Path) -> bool:
    """Another config read in this run includes the file by name only in a commented-out line: an opt-in snippet
    (`# include cors_support.conf;`) its users switch on by hand. The names are found once per run."""
    memo = loader.memo("commented-out-includes")
    if "names" not in memo:
        names: dict[str, set] = {}
        for source, _parsed in loader.parsed_files():
            for target in _COMMENTED_INCLUDE.findall(source.text):
                if not any(char in target for char in "*?["):
                    names.setdefault(posixpath.basename(target), set()).add(source.path)
        memo["names"] = names
    return bool(memo["names"].get(path.name, set()) - {path})
