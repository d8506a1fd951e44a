"""Where nginx keeps its configuration, in the packages and images that install it."""
from __future__ import annotations

# Where distributions keep nginx.conf: an absolute include under one of these means "next to the main config".
CONF_PREFIXES = ("/etc/nginx/", "/usr/local/openresty/nginx/conf/", "/usr/local/nginx/conf/", "/etc/openresty/")
# nginx's configuration directories: a COPY to one of them without a trailing slash puts the file inside
# (`ADD conf/nginx.conf /usr/local/openresty/nginx/conf`), never in its place.
NGINX_DIRECTORIES = frozenset({prefix.rstrip("/") for prefix in CONF_PREFIXES} | {"/etc/nginx/conf.d"})
