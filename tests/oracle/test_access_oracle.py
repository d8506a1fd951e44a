"""MET303's reading of nginx's access phase, against a real nginx (a client at 127.0.0.1 stands for "anyone": it
is in none of the listed ranges).

- A client no allow/deny rule matches is let through: `allow 10.0.0.0/8;` alone answers 200.
- A location with rules of its own inherits none of the server's: the server's `deny all` does not apply.
- `satisfy any` with `allow all` answers without credentials, whatever auth_basic says.
- `deny all` alone answers 403 to everyone (gixy reports it, MET303 does not); an allow after it is never
  reached, the first rule that matches decides (SEC505 reports it).
- `listen localhost:PORT` binds the loopback addresses only (gixy reports a page open there, MET303 does not).
- `if ($flag) { return 403; }` in the location, or in its server, refuses the request before the page is served.
- SEC542: under `auth_basic` with a user file, a name with CR LF in it is no account: nginx answers 401 and the
  proxied header never gets it; `add_header … always` is on the 401 too, with the line break the client sent.
- SEC542: behind an allow list of this host's addresses, a client not on it gets the access phase's 403,
  which carries no `add_header` without `always` (and comes before proxy_pass connects); an `add_header … always`
  is on the 403 too, and `return` runs in the rewrite phase, before the access phase, for every client.

nginx runs each case on 127.0.0.1; nginxlint lints the same access settings in a server that listens on all
addresses (a loopback-only server is exempt from MET303 by design).
"""
from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from nginx_harness import NGINX, Nginx, free_port, raw_request

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")

PREAMBLE = "pid logs/nginx.pid;\nerror_log logs/error.log notice;\nworker_processes 1;\n"
HTTP_PREAMBLE = "access_log off; " + " ".join(
    f"{name}_temp_path tmp/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
HTPASSWD = "user:$apr1$0rmpJj1f$uCbgmbGWyQdRjVhLz2dcU/\n"  # any entry: the test never sends credentials


def config(listen: str, server_level: str, location: str) -> str:
    return (f"{PREAMBLE}events {{ worker_connections 64; }}\nhttp {{\n{HTTP_PREAMBLE}\n"
            f"server {{ listen {listen}; {server_level}\n  location /status {{ stub_status; {location} }} }}\n}}\n")


CASES = [
    # (server-level directives, location directives, status nginx answers, the open page is reported: by MET303,
    # or by SEC505 on the location's own allow list that lacks `deny all`)
    ("", "allow 10.0.0.0/8;", 200, True),
    ("allow 127.0.0.2; deny all;", "allow 10.0.0.0/8;", 200, True),
    ("", 'satisfy any; allow all; auth_basic "m"; auth_basic_user_file htpasswd;', 200, True),
    ("", "allow 10.0.0.0/8; deny all;", 403, False),
    ("", 'satisfy any; allow 10.0.0.0/8; deny all; auth_basic "m"; auth_basic_user_file htpasswd;', 401, False),
    ("", "deny all;", 403, False),
    # an `if` on a variable that refuses the request runs in the rewrite phase, before the page is served, whether
    # it stands in the location or in the server (a flag a `geo` of the client's address would set)
    ("set $not_scraper 1;", "if ($not_scraper) { return 403; }", 403, False),
    ("set $bad_token 1; if ($bad_token) { return 404; }", "", 404, False),
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
        found = [f for f in tree.lint() if f["code"] in ("MET303", "SEC505")]
        assert len(found) == int(reported), found  # once


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


def test_a_loopback_allow_list_stops_what_comes_after_the_access_phase():
    # the test client, 127.0.0.1, is not on the list (127.0.0.2): it stands for any client from elsewhere
    closed = free_port()  # nothing listens there: a proxied request would answer 502
    files = {"conf/nginx.conf": (
        f"{PREAMBLE}events {{ worker_connections 64; }}\nhttp {{\n{HTTP_PREAMBLE}\n"
        "server { listen 127.0.0.1:{port}; allow 127.0.0.2; deny all;\n"
        f"  location ~ ^/a/([^/]*) {{ add_header X-A $1; proxy_pass http://127.0.0.1:{closed}; }}\n"
        f"  location ~ ^/b/([^/]*) {{ add_header X-B $1 always; proxy_pass http://127.0.0.1:{closed}; }}\n"
        "  location ~ ^/c/([^/]*) { return 302 /y/$1; }\n"
        "}\n}\n")}
    injected = "Set-Cookie: injected=1"
    with Nginx(files) as nginx:
        outcome = nginx.start()
        assert outcome.status == 0, outcome.stderr

        def head(path: str) -> list[str]:
            answer = raw_request(nginx.port, f"GET {path}%0d%0aSet-Cookie:%20injected=1 HTTP/1.1\r\nHost: a\r\n")
            return answer.partition("\r\n\r\n")[0].split("\r\n")

        a, b, c = head("/a/x"), head("/b/x"), head("/c/x")
        assert a[0].endswith("403 Forbidden") and injected not in a, a
        assert b[0].endswith("403 Forbidden") and injected in b, b
        assert c[0].endswith("302 Moved Temporarily") and injected in c, c
        reported = sorted(f["line"] for f in nginx.lint() if f["code"] == "SEC542")
    lines = files["conf/nginx.conf"].split("\n")
    assert reported == [n for n, line in enumerate(lines, 1) if "^/b/" in line or "^/c/" in line], reported


def test_an_account_list_lets_no_crafted_user_name_through_to_the_upstream():
    import base64

    upstream = free_port()
    files = {"conf/htpasswd": "admin:{PLAIN}secret\n", "conf/nginx.conf": (
        f"{PREAMBLE}events {{ worker_connections 64; }}\nhttp {{\n{HTTP_PREAMBLE}\n"
        f"server {{ listen 127.0.0.1:{upstream}; location / {{ return 200 \"user=$http_x_user\"; }} }}\n"
        "server { listen 127.0.0.1:{port}; auth_basic \"admin\"; auth_basic_user_file htpasswd;\n"
        f"  location /a {{ proxy_set_header X-User $remote_user; proxy_pass http://127.0.0.1:{upstream}; }}\n"
        f"  location /b {{ add_header X-User $remote_user always; proxy_pass http://127.0.0.1:{upstream}; }}\n"
        "}\n}\n")}

    def head(path: str, user: str) -> list[str]:
        credentials = base64.b64encode(f"{user}:secret".encode()).decode()
        answer = raw_request(nginx.port, f"GET {path} HTTP/1.1\r\nHost: a\r\nAuthorization: Basic {credentials}\r\n")
        return answer.split("\r\n")

    with Nginx(files) as nginx:
        outcome = nginx.start()
        assert outcome.status == 0, outcome.stderr
        assert head("/a", "admin")[-1] == "user=admin"
        # Basic credentials end the name at the first colon: the line a CR LF starts holds no header value
        crafted = head("/a", "admin\r\nX-Injected")
        assert crafted[0].endswith("401 Unauthorized") and "user=" not in crafted[-1], crafted
        refused = head("/b", "admin\r\nX-Injected")  # `always`: on the 401 too, the line split as sent
        assert refused[0].endswith("401 Unauthorized") and "X-Injected" in refused, refused
        reported = sorted(f["line"] for f in nginx.lint() if f["code"] == "SEC542")
    lines = files["conf/nginx.conf"].split("\n")
    assert reported == [n for n, line in enumerate(lines, 1) if "location /b" in line], reported


@pytest.mark.parametrize("rules, status, dead_allow", [
    ("deny all; allow 127.0.0.0/8;", 403, True),  # the first rule that matches decides: deny all, for everyone
    ("allow 127.0.0.0/8; deny all;", 200, False),
])
def test_an_allow_after_deny_all_lets_no_one_in(rules, status, dead_allow):
    """SEC505: nginx applies the first allow/deny rule that matches; after `deny all` an allow is never reached."""
    files = {"conf/nginx.conf": config("127.0.0.1:{port}", "", rules)}
    with Nginx(files) as nginx:
        outcome = nginx.start()
        assert outcome.status == 0, outcome.stderr
        assert nginx.get("/status")[0] == status
        found = [f for f in nginx.lint() if f["code"] == "SEC505"]
    assert [f["message"].startswith("this allow comes after `deny all`") for f in found] == \
        ([True] if dead_allow else [])
