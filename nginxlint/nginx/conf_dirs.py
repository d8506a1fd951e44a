"""Where nginx keeps its configuration, in the packages and images that install it."""
from __future__ import annotations

import os
from pathlib import Path

# Where distributions keep nginx.conf: an absolute include under one of these means "next to the main config".
CONF_PREFIXES = ("/etc/nginx/", "/usr/local/openresty/nginx/conf/", "/usr/local/nginx/conf/", "/etc/openresty/")
# nginx's configuration directories: a COPY to one of them without a trailing slash puts the file inside
# (`ADD conf/nginx.conf /usr/local/openresty/nginx/conf`), never in its place.
NGINX_DIRECTORIES = frozenset({prefix.rstrip("/") for prefix in CONF_PREFIXES} | {"/etc/nginx/conf.d"})
# The directories of sites a main config includes from its own directory (`include conf.d/*.conf;`)
SITE_DIRECTORIES = frozenset({"sites", "sites-available", "sites-enabled", "conf.d", "http.d", "vhosts", "vhost.d"})


def fragment_conf_dir(fragment: Path) -> Path:
    """Where nginx resolves the relative includes of a fragment whose main config is out of view: the directory of
    the main config that includes it. A site in a directory of sites (`conf.d/api.conf`) is included from the
    directory above (the stock `/etc/nginx/nginx.conf` includes `/etc/nginx/conf.d/*.conf`); any other fragment's
    own directory is the best guess."""
    directory = fragment.parent
    return directory.parent if directory.name in SITE_DIRECTORIES else directory


def disabled_site(path) -> bool:
    """A file of `sites-available/` beside a `sites-enabled/` that holds no entry of its name or linking to it:
    Debian's layout, whose nginx.conf includes only sites-enabled/*, so the site is switched off. An entry of its
    name that is a file of its own with other text is another version of the site, the one nginx loads."""
    if path is None:
        return False
    path = Path(path)
    enabled = path.parent.parent / "sites-enabled"
    if path.parent.name != "sites-available" or not enabled.is_dir():
        return False
    for entry in enabled.iterdir():
        if entry.name in (path.name, path.stem):
            return entry.is_file() and not entry.is_symlink() and not _same_bytes(entry, path)
        try:
            if entry.is_symlink() and Path(os.readlink(entry)).name == path.name:
                return False
        except OSError:
            continue
    return True


def _same_bytes(one: Path, other: Path) -> bool:
    try:
        return one.read_bytes() == other.read_bytes()
    except OSError:
        return True  # unreadable: taken as the same site
