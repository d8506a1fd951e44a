"""MET303's reading of nginx's access phase, against a real nginx (a client at 127.0.0.1 stands for "anyone": it
is in none of the listed ranges).

- A client no allow/deny rule matches is let through: `allow 10.0.0.0/8;` alone answers 200.
- A location with rules of its own inherits none of the server's: the server's `deny all` does not apply.
- `satisfy any` with `allow all` answers without credentials, whatever auth_basic says.
- `deny all` alone answers 403 to everyone (gixy reports it, MET303 does not).
- `if ($blocked) { return 403; }` refuses before stub_status answers: a gate MET303 leaves to the config.
- `listen localhost:PORT` binds the loopback addresses only (gixy reports a page open there, MET303 does not).

nginx runs each case on 127.0.0.1; nginxlint lints the same access settings in a server that listens on all
addresses (a loopback-only server is exempt from MET303 by design).
"""
from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from nginx_harness import NGINX, Nginx

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")

PREAMBLE = "pid logs/nginx.pid;\nerror_log logs/error.log notice;\nworker_processes 1;\n"
HTTP_PREAMBLE = "access_log off; " + " ".join(
    f"{name}_temp_path tmp/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
HTPASSWD = "user:$apr1$0rmpJj1f$uCbgmbGWyQdRjVhLz2dcU/\n"  # any entry: the test never sends credentials


def config(listen: str, server_level: str, location: str) -> str:
    return (f"{PREAMBLE}events {{ worker_connections 64; }}\nhttp {{\n{HTTP_PREAMBLE}\n"
            f"server {{ listen {listen}; {server_level}\n  location /status {{ stub_status; {location} }} }}\n}}\n")


CASES = [
    # (server-level directives, location directives, status nginx answers, MET303 reports)
    ("", "allow 10.0.0.0/8;", 200, True),
    ("allow 127.0.0.2; deny all;", "allow 10.0.0.0/8;", 200, True),
    ("", 'satisfy any; allow all; auth_basic "m"; auth_basic_user_file htpasswd;', 200, True),
    ("", "allow 10.0.0.0/8; deny all;", 403, False),
    ("", 'satisfy any; allow 10.0.0.0/8; deny all; auth_basic "m"; auth_basic_user_file htpasswd;', 401, False),
    ("", "deny all;", 403, False),
    ("set $blocked 1;", "if ($blocked) { return 403; }", 403, False),  # a gate in the config's own terms
]


@pytest.mark.parametrize("server_level, location, status, reported", CASES)
def test_access_phase_as_met303_reads_it(server_level, location, status, reported):
    files = {"conf/nginx.conf": config("127.0.0.1:{port}", server_level, location), "conf/htpasswd": HTPASSWD}
    with Nginx(files) as nginx:
        outcome = nginx.start()
        assert outcome.status == 0, outcome.stderr
        assert nginx.get("/status")[0] == status
    linted = {"conf/nginx.conf": config("8080", server_level, location), "conf/htpasswd": HTPASSWD}
    with Nginx(linted) as tree:
        found = [f for f in tree.lint() if f["code"] == "MET303"]
        assert bool(found) is reported, found


def _listening(port: int) -> set[str]:
    """The local addresses with a TCP socket listening on `port`, from /proc/net/tcp and tcp6."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port and len(address) == width:
                # each 32-bit word is in host (little-endian) order
                raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, width, 8))
                found.add(str(ipaddress.ip_address(raw)))
    return found


def test_a_listen_on_localhost_binds_only_loopback_addresses():
    # Gixy-Next's hostname_listen fixture: nginx binds what the name resolves to at start, and `localhost` is
    # loopback (RFC 6761), so `allow ::/0` under `satisfy any` opens the page to processes on the host only
    location = 'satisfy any; allow ::/0; auth_basic "m"; auth_basic_user_file htpasswd;'
    files = {"conf/nginx.conf": config("localhost:{port}", "", location), "conf/htpasswd": HTPASSWD}
    with Nginx(files) as nginx:
        outcome = nginx.start()
        assert outcome.status == 0, outcome.stderr
        bound = _listening(nginx.port)
        assert bound and all(ipaddress.ip_address(a).is_loopback for a in bound), bound
        assert nginx.get("/status")[0] == 401  # an IPv4 client gets no pass from the IPv6 rule
        assert [f for f in nginx.lint() if f["code"] == "MET303"] == []
