"""TLS and transport rules against a real nginx and Python's ssl client: what the rules claim happens, happens.

- SEC521: a weak version in the default server's ssl_protocols is accepted for a named server whose own
  ssl_protocols excludes it (the version is negotiated before SNI picks the server); and OpenSSL 3 refuses TLS 1.0
  and 1.1 at its default security level 1 whatever ssl_protocols says, and accepts them at level 0; towards an
  upstream too (`proxy_ssl_protocols TLSv1.1`), with a system MinProtocol of TLSv1.2 that nginx clears.
- SEC522: `ALL` enables anonymous suites (no server certificate at all); nginx's default list refuses them.
  Debian's OpenSSL 3.0 is built without RC4 and 3DES: a list of 3DES alone matches no suite (nginx -t fails),
  which is why SEC522 leaves 3DES out for Debian's, Ubuntu's and Alpine's OpenSSL 3. A server that is not the
  default of its socket negotiates with its own ssl_ciphers once SNI picked it, so SEC522 judges every server's list.
- SEC523: a location (or a server) with an add_header of its own sends no HSTS; without `always` an error page has
  none; an empty value sends no header. A server whose `location /` and other locations all refuse answers every
  path with an error: no page there for HSTS to keep on HTTPS; one that redirects is still reported. A TLS
  server on another port than 443 that sends plain-HTTP clients to `https://host:PORT/` (error_page 497) is
  reached with its port in the URL, a side port of the host name, and is not reported. `ssl_certificate
  data:$empty` (an empty value) fails every handshake; an error_page that gives an error its body keeps the status.
- NGX020: with ssl_prefer_server_ciphers on, a TLS 1.2 client gets the list's first suite in OpenSSL's order
  (ChaCha20 when it comes first), and a TLS 1.3 client that prefers ChaCha20 gets TLS_AES_256_GCM_SHA384. A
  TLS 1.2 list without ChaCha20 gives a client that prefers it AES-GCM with `on` and `off` alike. With nginx's
  default list, a client that lists a suite without forward secrecy first gets it only with `off`.
- NGX021: nginx -t fails on groups the OpenSSL does not know (ML-KEM before 3.5), and on the `?` prefix before 3.3.
- NGX022: with ssl_stapling and no resolver nginx logs "no resolver defined" when a client asks for a status,
  and connects to the responder address it resolved once at start.
- NGX023: a certificate without an OCSP URL (as Let's Encrypt's are now) makes nginx ignore ssl_stapling.
- NGX024: a request whose Host no server handles, on a connection negotiated for another name, is answered by
  the default server that rejects handshakes (what HTTP/2 connection reuse sends; shown over HTTP/1.1, which Python's client speaks); `return 421` answers it.
  When that server is the only one on the socket, every handshake fails and no request reaches it.
- NGX026: keepalive_requests N closes the connection after the Nth response.

The clients lower OpenSSL's security level where the old suites and versions need it (`@SECLEVEL=0`), on both
sides: what is being shown is what the nginx settings allow. Certificates are made with `openssl` per test run.
Each test also runs nginxlint on the same files: the rule is reported on the fail case and not on the pass case.
"""
from __future__ import annotations

import http.client
import shutil
import socket
import ssl
import subprocess
import warnings

import pytest

from lintkit import LOAD_LUA_MODULES, nginx_missing
from nginx_harness import NGINX, Nginx, free_port, lint_json, raw_request

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed"),
]

PREAMBLE = "pid logs/nginx.pid;\nerror_log logs/error.log info;\n"
HTTP_PREAMBLE = "access_log off; " + " ".join(
    f"{name}_temp_path tmp/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))


def config(http: str, main: str = "worker_processes 1;\n") -> str:
    return f"{PREAMBLE}{main}events {{ worker_connections 64; }}\nhttp {{\n{HTTP_PREAMBLE}\n{http}\n}}\n"


def _openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> dict[str, str]:
    """PEM texts: a.pem/a.key, b.pem/b.key (self-signed), leaf.pem/leaf.key issued by ca.pem with the OCSP URL
    http://localhost:9/, and plain.pem (same key) issued by ca.pem without an OCSP URL, as Let's Encrypt's are
    now (chains included)."""
    where = tmp_path_factory.mktemp("certs")
    for name in ("a", "b"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem",
                 "-days", "2", "-subj", f"/CN={name}.test", cwd=where)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=Test CA", cwd=where)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj",
             "/CN=leaf.test", cwd=where)
    # port 9 (discard): nothing answers there, the log shows where nginx tried to connect
    (where / "ext.cnf").write_text("authorityInfoAccess = OCSP;URI:http://localhost:9/\n")
    _openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "leaf-only.pem", "-days", "2", "-extfile", "ext.cnf", cwd=where)
    _openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "plain-only.pem", "-days", "2", cwd=where)
    texts = {name: (where / name).read_text() for name in ("a.pem", "a.key", "b.pem", "b.key", "ca.pem",
                                                           "leaf.key")}
    texts["leaf.pem"] = (where / "leaf-only.pem").read_text() + texts["ca.pem"]
    texts["plain.pem"] = (where / "plain-only.pem").read_text() + texts["ca.pem"]
    return texts


def tree(certs: dict[str, str], conf: str, extra: dict | None = None) -> dict[str, str]:
    files = {f"conf/{name}": text for name, text in certs.items()}
    files["conf/nginx.conf"] = conf
    files.update(extra or {})
    return files


def handshake(port: int, sni: str, *, version=None, ciphers: str | None = None):
    """(protocol version, cipher, server certificate DER) or None when the handshake fails."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if version is not None:
            context.minimum_version = context.maximum_version = version
    if ciphers:
        context.set_ciphers(ciphers)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
            with context.wrap_socket(raw, server_hostname=sni) as tls:
                return tls.version(), tls.cipher()[0], tls.getpeercert(binary_form=True)
    except (ssl.SSLError, OSError):
        return None


def https_get(port: int, sni: str, path: str, host: str | None = None):
    """(status, headers, body) of one HTTP/1.1 request over TLS, SNI and Host chosen separately."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
        with context.wrap_socket(raw, server_hostname=sni) as tls:
            request = f"GET {path} HTTP/1.1\r\nHost: {host or sni}\r\nConnection: close\r\n\r\n"
            tls.sendall(request.encode())
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
    raw_head, _, body = data.partition(b"\r\n\r\n")
    head = raw_head.decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in head[1:] if ":" in line}
    return status, headers, body.decode("utf-8", "replace")


def started(nginx: Nginx) -> None:
    outcome = nginx.start()
    assert outcome.status == 0, outcome.stderr


def codes(findings, *wanted):
    return [f for f in findings if f["code"] in wanted]


# -- SEC521 -------------------------------------------------------------------------------------------------------

def _sni_servers(default_protocols: str) -> str:
    return config(
        "server { listen 127.0.0.1:{port} ssl default_server; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
        f"  ssl_protocols {default_protocols}; ssl_ciphers DEFAULT:@SECLEVEL=0; }}\n"
        "server { listen 127.0.0.1:{port} ssl; server_name b.test; ssl_certificate b.pem; ssl_certificate_key b.key;\n"
        "  ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers DEFAULT:@SECLEVEL=0; }\n")


def test_default_server_protocols_decide_for_the_named_server(certs):
    b_der = ssl.PEM_cert_to_DER_cert(certs["b.pem"])
    with Nginx(tree(certs, _sni_servers("TLSv1 TLSv1.2"))) as nginx:
        started(nginx)
        got = handshake(nginx.port, "b.test", version=ssl.TLSVersion.TLSv1, ciphers="DEFAULT:@SECLEVEL=0")
        assert got is not None, "TLSv1 was refused for b.test"
        assert got[0] == "TLSv1" and got[2] == b_der, got[:2]  # b.test's own certificate, over TLS 1.0
        findings = codes(nginx.lint(), "SEC521")
        assert len(findings) == 2 and any("default server" in f["message"] for f in findings), findings
    with Nginx(tree(certs, _sni_servers("TLSv1.2"))) as nginx:
        started(nginx)
        assert handshake(nginx.port, "b.test", version=ssl.TLSVersion.TLSv1, ciphers="DEFAULT:@SECLEVEL=0") is None
        assert handshake(nginx.port, "b.test", version=ssl.TLSVersion.TLSv1_2) is not None
        assert codes(nginx.lint(), "SEC521") == []


def _weak_and_strong(ciphers: str) -> str:
    return config("server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
                  f"  ssl_protocols TLSv1 TLSv1.1 TLSv1.2; ssl_ciphers {ciphers}; }}\n")


def test_openssl_3_refuses_tls_1_0_and_1_1_at_its_default_security_level(certs):
    image = {"Dockerfile": "FROM nginx:1.27\nCOPY conf/nginx.conf /etc/nginx/nginx.conf\n"}  # OpenSSL 3, like this one
    assert ssl.OPENSSL_VERSION_INFO[0] >= 3 or pytest.skip("Python's OpenSSL is older than 3")
    with Nginx({**tree(certs, _weak_and_strong("HIGH:!aNULL:!MD5:@SECLEVEL=1")), **image}) as nginx:
        started(nginx)
        for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            assert handshake(nginx.port, "a.test", version=old, ciphers="DEFAULT:@SECLEVEL=0") is None
        assert handshake(nginx.port, "a.test", version=ssl.TLSVersion.TLSv1_2) is not None
        assert codes(nginx.lint(), "SEC521") == []
    with Nginx({**tree(certs, _weak_and_strong("HIGH:!aNULL:!MD5:@SECLEVEL=0")), **image}) as nginx:
        started(nginx)
        assert handshake(nginx.port, "a.test", version=ssl.TLSVersion.TLSv1, ciphers="DEFAULT:@SECLEVEL=0") is not None
        assert len(codes(nginx.lint(), "SEC521")) == 1


def test_a_cipher_list_without_sha1_or_md5_suites_fails_tls_1_0_and_1_1_handshakes(certs):
    """The security level is lowered to 0 on both sides, so that only the suites decide: `!SHA` leaves none that a
    TLS 1.0 or 1.1 handshake can use, and nginxlint does not report the old versions the protocol list names."""
    with Nginx(tree(certs, _weak_and_strong("HIGH:!aNULL:!MD5:!SHA:@SECLEVEL=0"))) as nginx:
        started(nginx)
        for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            assert handshake(nginx.port, "a.test", version=old, ciphers="DEFAULT:@SECLEVEL=0") is None
        assert handshake(nginx.port, "a.test", version=ssl.TLSVersion.TLSv1_2) is not None
        assert codes(nginx.lint(), "SEC521") == []
    with Nginx(tree(certs, _weak_and_strong("HIGH:!aNULL:!MD5:@SECLEVEL=0"))) as nginx:
        started(nginx)
        assert handshake(nginx.port, "a.test", version=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0") \
            is not None
        assert len(codes(nginx.lint(), "SEC521")) == 1


def _proxy_to_tls_1_1(upstream_port: int) -> str:
    """An upstream that speaks only TLS 1.1 (at level 0), and two proxies to it that offer TLS 1.1: one at the
    security level the system gives, one that lowers it to 0."""
    upstream = f"https://127.0.0.1:{upstream_port}"
    return config(
        f"server {{ listen 127.0.0.1:{upstream_port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
        "  ssl_protocols TLSv1.1; ssl_ciphers DEFAULT:@SECLEVEL=0; return 200 up; }\n"
        "server { listen 127.0.0.1:{port};\n"
        f"  location / {{ proxy_pass {upstream}; proxy_ssl_protocols TLSv1.1 TLSv1.2 TLSv1.3; }}\n"
        f"  location /zero {{ proxy_pass {upstream}; proxy_ssl_protocols TLSv1.1 TLSv1.2 TLSv1.3;\n"
        "    proxy_ssl_ciphers DEFAULT:@SECLEVEL=0; } }\n")


def test_openssl_3_security_level_not_min_protocol_decides_for_the_upstream(certs, tmp_path):
    """What 3scale APIcast's image does (OpenResty on UBI 9, the distribution's OpenSSL 3): `proxy_ssl_protocols
    TLSv1.1 ...` never reaches a TLS 1.1 upstream at the default security level. A system configuration whose
    MinProtocol is TLSv1.2 is cleared by nginx (the /zero proxy reaches the upstream with it in force): the
    security level alone decides."""
    assert ssl.OPENSSL_VERSION_INFO[0] >= 3 or pytest.skip("Python's OpenSSL is older than 3")
    system = tmp_path / "openssl.cnf"
    system.write_text("openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = tls\n"
                      "[tls]\nMinProtocol = TLSv1.2\nCipherString = DEFAULT:@SECLEVEL=2\n")
    image = {"Dockerfile": "FROM registry.access.redhat.com/ubi9/ubi-minimal\n"
                           "RUN microdnf -y install openresty-1.27.1-1.el9\n"
                           "COPY conf/nginx.conf /usr/local/openresty/nginx/conf/nginx.conf\n"}
    with Nginx({**tree(certs, _proxy_to_tls_1_1(free_port())), **image}, env={"OPENSSL_CONF": str(system)}) as nginx:
        started(nginx)
        assert nginx.get("/")[0] == 502
        assert nginx.get("/zero") == (200, "up")
        findings = codes(nginx.lint(), "SEC521")
        # the TLS 1.1 upstream server (line 8) and the /zero proxy (line 11) lower the level; the / proxy is quiet
        assert sorted(f["line"] for f in findings) == [8, 11]


# -- SEC522 -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("prefer, suite", [("on", "ECDHE-RSA-AES256-SHA"), ("off", "AES256-SHA")])
def test_server_preference_keeps_a_list_with_suites_without_forward_secrecy_to_the_ephemeral_ones(certs, prefer,
                                                                                                   suite):
    # nginx's default list, HIGH:!aNULL:!MD5, holds suites with a plain RSA key exchange: an old client that lists
    # one first gets it unless the server's order decides
    conf = config("server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
                  f"  ssl_protocols TLSv1.2; ssl_prefer_server_ciphers {prefer}; return 200; }}")
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        got = _negotiated(nginx.port, "-tls1_2", "-cipher", "AES256-SHA:ECDHE-RSA-AES256-SHA")
        found = codes(nginx.lint("--extend-select", "NGX020"), "NGX020")
    assert got == suite
    assert found == []


def _one_server(directives: str) -> str:
    return config("server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
                  f"  ssl_protocols TLSv1.2; {directives} }}\n")


def test_all_enables_anonymous_suites(certs):
    with Nginx(tree(certs, _one_server("ssl_ciphers ALL:@SECLEVEL=0;"))) as nginx:
        started(nginx)
        got = handshake(nginx.port, "a.test", ciphers="aNULL:@SECLEVEL=0")
        assert got is not None and ("ADH" in got[1] or "AECDH" in got[1]), got
        assert got[2] is None  # an anonymous suite: the server sent no certificate at all
        assert len(codes(nginx.lint(), "SEC522")) == 1
    with Nginx(tree(certs, _one_server(""))) as nginx:  # nginx's default: HIGH:!aNULL:!MD5
        started(nginx)
        assert handshake(nginx.port, "a.test", ciphers="aNULL:@SECLEVEL=0") is None
        assert codes(nginx.lint(), "SEC522") == []


def _has_3des() -> bool:
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers("DES-CBC3-SHA:@SECLEVEL=0")
    except ssl.SSLError:
        return False
    return True


@pytest.mark.skipif(_has_3des(), reason="this OpenSSL has 3DES suites (the case is an OpenSSL 3 without them)")
def test_debian_openssl_3_has_no_3des_suite_to_offer(certs):
    """Debian's nginx on Debian's OpenSSL 3: a list of 3DES alone matches no suite (nginx -t fails), and a list that
    adds 3DES to a strong suite starts with the strong suite only. SEC522 leaves 3DES out for that image."""
    dockerfile = {"Dockerfile": "FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y nginx\n"
                                "COPY conf/nginx.conf /etc/nginx/nginx.conf\n"}
    with Nginx(tree(certs, _one_server("ssl_ciphers DES-CBC3-SHA:@SECLEVEL=0;"))) as nginx:
        outcome = nginx.test()
        assert outcome.status != 0 and "no cipher match" in outcome.stderr, outcome.stderr
    with Nginx(tree(certs, _one_server("ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA;"))) as nginx:
        started(nginx)
        got = handshake(nginx.port, "a.test")
        assert got is not None and got[1] == "ECDHE-RSA-AES128-GCM-SHA256", got
        assert len(codes(nginx.lint_deployed(), "SEC522")) == 1  # the image is not known: 3DES is asked for
    with Nginx(tree(certs, _one_server("ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA;"), dockerfile)) as nginx:
        assert codes(nginx.lint_deployed(), "SEC522") == []


def test_a_named_servers_own_cipher_list_is_the_one_its_clients_get(certs):
    """Unlike the protocol version (SEC521), the cipher suite is chosen after SNI picked the server, from that
    server's `ssl_ciphers`: a weak list in a server that is not the socket's default is reachable by its name."""
    conf = config(
        "server { listen 127.0.0.1:{port} ssl default_server; server_name a.test; ssl_certificate a.pem;\n"
        "  ssl_certificate_key a.key; ssl_protocols TLSv1.2; ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384; }\n"
        "server { listen 127.0.0.1:{port} ssl; server_name b.test; ssl_certificate b.pem;\n"
        "  ssl_certificate_key b.key; ssl_protocols TLSv1.2; ssl_ciphers ECDHE-RSA-AES128-SHA; }\n")
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        tls12 = ssl.TLSVersion.TLSv1_2
        assert handshake(nginx.port, "b.test", version=tls12, ciphers="ECDHE-RSA-AES128-SHA")[:2] == (
            "TLSv1.2", "ECDHE-RSA-AES128-SHA")
        assert handshake(nginx.port, "b.test", version=tls12, ciphers="ECDHE-RSA-AES256-GCM-SHA384") is None
        assert handshake(nginx.port, "a.test", version=tls12, ciphers="ECDHE-RSA-AES128-SHA") is None


# -- SEC523 -------------------------------------------------------------------------------------------------------

def test_location_add_header_drops_hsts_and_errors_need_always(certs):
    conf = config(
        "server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
        '  add_header Strict-Transport-Security "max-age=31536000";\n'
        "  location = /ok { return 200 ok; }\n"
        "  location / { add_header Cache-Control no-store; return 200 '<p>app</p>'; }\n"  # the front page
        "  location = /missing { return 404; } }\n")
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        assert "strict-transport-security" in https_get(nginx.port, "a.test", "/ok")[1]
        status, headers, _ = https_get(nginx.port, "a.test", "/app")
        assert status == 200 and "strict-transport-security" not in headers and "cache-control" in headers
        status, headers, _ = https_get(nginx.port, "a.test", "/missing")
        assert status == 404 and "strict-transport-security" not in headers
        findings = nginx.lint_deployed("--extend-select", "SEC572")
        messages = [f["message"] for f in codes(findings, "SEC523")]
        assert any("without `always`" in f["message"] for f in codes(findings, "SEC572")), findings
        # SEC503 names the dropped HSTS on that add_header; SEC523 says it alone when SEC503 is not selected
        assert any("Strict-Transport-Security" in f["message"] for f in codes(findings, "SEC503"))
        assert not any("stops the server's Strict-Transport-Security" in m for m in messages), messages
        alone = [f["message"] for f in codes(nginx.lint_deployed("--extend-select", "SEC523", "--ignore", "SEC503"), "SEC523")]
        assert any("stops the server's Strict-Transport-Security" in m for m in alone), alone
    fixed = conf.replace('"max-age=31536000";', '"max-age=31536000" always;').replace(
        "add_header Cache-Control no-store;",
        'add_header Cache-Control no-store; add_header Strict-Transport-Security "max-age=31536000" always;')
    with Nginx(tree(certs, fixed)) as nginx:
        started(nginx)
        for path in ("/ok", "/app", "/missing"):
            assert "strict-transport-security" in https_get(nginx.port, "a.test", path)[1], path
        assert codes(nginx.lint_deployed("--extend-select", "SEC523,SEC572"), "SEC523", "SEC572") == []


def test_an_empty_hsts_value_sends_no_header(certs):
    conf = config("server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
                  '  add_header Strict-Transport-Security ""; location = /ok { return 200 ok; } }\n')
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        assert "strict-transport-security" not in https_get(nginx.port, "a.test", "/ok")[1]
        messages = [f["message"] for f in codes(nginx.lint_deployed("--extend-select", "SEC523"), "SEC523")]
    assert len(messages) == 1 and "sends no Strict-Transport-Security header" in messages[0], messages


def test_a_server_that_refuses_everything_serves_nothing(certs):
    refusing = config(
        "server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
        "  if ($request_method = TRACE) { return 444; }\n"
        "  location / { deny all; return 403; }\n"
        "  location ~ \\.php$ { return 404; } }\n")
    with Nginx(tree(certs, refusing)) as nginx:
        started(nginx)
        for path in ("/", "/index.html", "/a/b.php", "/.well-known/x"):
            assert https_get(nginx.port, "a.test", path)[0] >= 400, path
        assert codes(nginx.lint_deployed("--extend-select", "SEC523"), "SEC523") == []
    redirecting = refusing.replace("return 403;", "return 301 https://example.com$request_uri;")
    with Nginx(tree(certs, redirecting)) as nginx:
        started(nginx)
        assert https_get(nginx.port, "a.test", "/index.html")[0] == 301
        messages = [f["message"] for f in codes(nginx.lint_deployed("--extend-select", "SEC523"), "SEC523")]
    assert len(messages) == 1 and "sends no Strict-Transport-Security header" in messages[0], messages



def test_an_empty_data_certificate_fails_every_handshake_and_an_error_page_keeps_the_error(certs):
    """`ssl_certificate data:$empty` cannot load: nginx ends the handshake with an alert (the way to refuse names
    before ssl_reject_handshake). An error_page that gives the error a body keeps its status."""
    empty = config(
        "server { listen 127.0.0.1:{port} ssl default_server; server_name _;\n"
        '  set $empty_tls ""; ssl_certificate data:$empty_tls; ssl_certificate_key data:$empty_tls;\n'
        "  location / { root html; } }\n")
    with Nginx(tree(certs, empty)) as nginx:
        started(nginx)
        assert handshake(nginx.port, "a.test") is None
        assert "cannot load certificate" in nginx.wait_for_log("cannot load certificate")
        assert codes(nginx.lint_deployed("--extend-select", "SEC523"), "SEC523") == []
    error_page = config(
        "server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
        "  error_page 550 @fetch550; location @fetch550 { root html; try_files /550.html =404; }\n"
        "  location / { return 550; } }\n")
    files = {**tree(certs, error_page), "html/550.html": "not hosted here\n"}
    with Nginx(files) as nginx:
        started(nginx)
        status, _headers, body = https_get(nginx.port, "a.test", "/index.html")
        assert (status, body) == (550, "not hosted here\n")
        assert codes(nginx.lint_deployed("--extend-select", "SEC523"), "SEC523") == []


@pytest.mark.parametrize("redirect, reported", [("https://$host:{port}$request_uri", False),
                                                ("https://$host$request_uri", True)])
def test_a_side_port_whose_https_urls_name_it(certs, redirect, reported):
    """A TLS server on a port other than 443 that sends plain-HTTP clients to `https://host:PORT/`: clients reach it
    with the port in the URL, a side port of the host name, whose main site decides HSTS for the name."""
    conf = config("server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
                  f"  error_page 497 =301 {redirect};\n"
                  '  location / { return 200 "admin"; } }\n')
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        plain = raw_request(nginx.port, "GET /status HTTP/1.1\r\nHost: admin.test\r\n")
        assert https_get(nginx.port, "admin.test", "/")[0] == 200
        messages = [f["message"] for f in codes(nginx.lint_deployed("--extend-select", "SEC523"), "SEC523")]
    location = next(line for line in plain.split("\r\n") if line.lower().startswith("location:"))
    named = f"https://admin.test:{nginx.port}/status"
    assert plain.startswith("HTTP/1.1 301") and (location.endswith(named) != reported), plain
    assert len(messages) == int(reported), messages

def test_a_gateway_passes_on_the_hsts_each_service_behind_it_sends(certs):
    """A multi-tenant gateway (certificates picked by ssl_certificate_by_lua, requests proxied): the service
    behind it decides HSTS for its own domain, and nginx passes its header on unchanged."""
    if nginx_missing():
        pytest.skip(nginx_missing())
    upstream = free_port()
    conf = config(
        f"server {{ listen 127.0.0.1:{upstream}; server_name shop.test;\n"
        '  add_header Strict-Transport-Security "max-age=31536000" always; return 200 "shop"; }\n'
        f'server {{ listen 127.0.0.1:{upstream}; server_name blog.test; return 200 "blog"; }}\n'
        "server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
        "  ssl_certificate_by_lua_block { }\n"
        f"  location / {{ proxy_set_header Host $host; proxy_pass http://127.0.0.1:{upstream}; }} }}\n",
        main=f"worker_processes 1;\n{LOAD_LUA_MODULES}\n")
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        shop = https_get(nginx.port, "shop.test", "/")
        blog = https_get(nginx.port, "blog.test", "/")
        assert shop[1].get("strict-transport-security") == "max-age=31536000", shop
        assert "strict-transport-security" not in blog[1], blog
        assert codes(nginx.lint_deployed("--extend-select", "SEC523"), "SEC523") == []


# -- NGX020 -------------------------------------------------------------------------------------------------------

def _negotiated(port: int, *args: str) -> str:
    """The suite `openssl s_client` negotiates with the client's own order given in args."""
    out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", *args], input=b"",
                         capture_output=True, timeout=10).stdout.decode("utf-8", "replace")
    return next((line.split("Cipher is", 1)[1].strip() for line in out.splitlines() if "Cipher is" in line), "")


@pytest.mark.parametrize("protocols, reported", [("TLSv1.2", False), ("TLSv1.2 TLSv1.3", True)])
def test_server_preference_follows_openssls_order_and_covers_tls13(certs, protocols, reported):
    conf = config("server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
                  f"  ssl_protocols {protocols}; ssl_prefer_server_ciphers on;\n"
                  "  ssl_ciphers ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384; return 200; }")
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        tls12 = _negotiated(nginx.port, "-tls1_2", "-cipher",
                            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305")
        tls13 = _negotiated(nginx.port, "-tls1_3", "-ciphersuites",
                            "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256")
        found = codes(nginx.lint("--extend-select", "NGX020"), "NGX020")
    assert tls12 == "ECDHE-RSA-CHACHA20-POLY1305"  # the server's first suite, not the client's
    if reported:
        assert tls13 == "TLS_AES_256_GCM_SHA384"  # server preference reorders TLS 1.3 too, by OpenSSL's own list
    assert len(found) == int(reported)
    if reported:  # TLS 1.2 clients get ChaCha20 here: only TLS 1.3 is named
        assert "(TLS_AES_256_GCM_SHA384 in TLS 1.3)" in found[0]["message"]


@pytest.mark.parametrize("prefer", ["on", "off"])
def test_a_tls12_list_without_chacha20_gives_a_client_that_prefers_it_aes_gcm_either_way(certs, prefer):
    conf = config("server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
                  f"  ssl_protocols TLSv1.2; ssl_prefer_server_ciphers {prefer};\n"
                  "  ssl_ciphers EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH; return 200; }")
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        suite = _negotiated(nginx.port, "-tls1_2", "-cipher",
                            "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256")
        found = codes(nginx.lint("--extend-select", "NGX020"), "NGX020")
    assert suite == "ECDHE-RSA-AES128-GCM-SHA256"  # no ChaCha20 on offer: `off` would give the phone nothing better
    assert found == []


def test_server_add_header_drops_the_http_hsts_and_is_reported_there(certs):
    conf = config(
        'add_header Strict-Transport-Security "max-age=31536000" always;\n'
        "server { listen 127.0.0.1:{port} ssl; ssl_certificate a.pem; ssl_certificate_key a.key;\n"
        "  add_header X-Frame-Options DENY;\n"
        "  location = /ok { return 200 ok; } }\n")
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        status, headers, _ = https_get(nginx.port, "a.test", "/ok")
        assert status == 200 and "strict-transport-security" not in headers and "x-frame-options" in headers
        found = codes(nginx.lint_deployed("--extend-select", "SEC523", "--ignore", "SEC503"), "SEC523")
        said = codes(nginx.lint_deployed(), "SEC503")  # where SEC503 runs, it names the dropped HSTS on that line instead
        lines = nginx.root.joinpath("conf/nginx.conf").read_text().split("\n")
        line = next(n for n, t in enumerate(lines, 1) if "X-Frame-Options" in t)
        assert [f["line"] for f in found] == [line] and [f["line"] for f in said] == [line]
        assert "stops the http block's Strict-Transport-Security" in found[0]["message"]
        assert "strict-transport-security" in said[0]["message"].lower()


# -- NGX021 -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("groups, starts", [
    ("X25519:prime256v1:secp384r1", True),
    ("X25519:secp521r1:sect571r1:secp224k1", True),  # RFC 8422's old curves, still in OpenSSL's group table
    ("X25519:prime239v1", False),  # a curve OpenSSL knows, but not as a TLS group
    ("X25519Kyber768Draft00:X25519", False),
    ("X25519MLKEM768:X25519", (3, 5)),  # a version: nginx starts from that OpenSSL on
    ("?X25519MLKEM768:X25519", (3, 3)),
])
def test_ecdh_groups_unknown_to_openssl_stop_nginx(certs, groups, starts):
    if isinstance(starts, tuple):
        if ssl.OPENSSL_VERSION_INFO[:2] >= starts:
            pytest.skip(f"this OpenSSL knows {groups} (NGX021 warns for the images that may not)")
        starts = False
    with Nginx(tree(certs, _one_server(f"ssl_ecdh_curve {groups};"))) as nginx:
        outcome = nginx.test()
        assert (outcome.status == 0) is starts, outcome.stderr
        if not starts:
            assert "SSL_CTX_set1_curves_list" in outcome.stderr
        assert bool(codes(nginx.lint(), "NGX021")) is (not starts)


# -- NGX022, NGX023 ------------------------------------------------------------------------------------------------

def _status_request(port: int, sni: str) -> None:
    """A handshake that asks for the OCSP status (Python's ssl module cannot), as browsers do."""
    subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", sni, "-status"],
                   input=b"", capture_output=True, timeout=15)


def test_stapling_without_resolver_uses_the_address_from_start_up(certs):
    server = ("server {{ listen 127.0.0.1:{{port}} ssl; ssl_certificate leaf.pem; ssl_certificate_key leaf.key;\n"
              "  ssl_stapling on; {resolver} }}\n")
    with Nginx(tree(certs, config(server.format(resolver="")))) as nginx:
        started(nginx)
        _status_request(nginx.port, "leaf.test")
        nginx.stop()
        log = nginx.error_log()
        assert "no resolver defined to resolve localhost" in log
        assert "peer: 127.0.0.1:9" in log  # resolved once at start, by the system, and kept
        assert len(codes(nginx.lint("--extend-select", "NGX022"), "NGX022")) == 1
    dns_port = free_port()
    with Nginx(tree(certs, config(server.format(resolver=f"resolver 127.0.0.1:{dns_port} valid=1s;")))) as nginx:
        started(nginx)
        _status_request(nginx.port, "leaf.test")
        nginx.stop()
        assert "no resolver defined" not in nginx.error_log()
        assert codes(nginx.lint(), "NGX022") == []


def test_stapling_is_ignored_for_a_certificate_without_ocsp_url(certs):
    extra = {"conf/letsencrypt/live/a.test/fullchain.pem": certs["plain.pem"],
             "conf/letsencrypt/live/a.test/privkey.pem": certs["leaf.key"]}
    conf = config("resolver 127.0.0.1;\n"
                  "server { listen 127.0.0.1:{port} ssl; ssl_certificate letsencrypt/live/a.test/fullchain.pem;\n"
                  "  ssl_certificate_key letsencrypt/live/a.test/privkey.pem; ssl_stapling on; }\n")
    with Nginx(tree(certs, conf, extra)) as nginx:
        outcome = nginx.test()
        assert outcome.status == 0
        assert '"ssl_stapling" ignored, no OCSP responder URL in the certificate' in outcome.stderr
        assert len(codes(nginx.lint(), "NGX023")) == 1
    with Nginx(tree(certs, conf.replace(" ssl_stapling on;", ""), extra)) as nginx:
        outcome = nginx.test()
        assert outcome.status == 0 and "ssl_stapling" not in outcome.stderr
        assert codes(nginx.lint(), "NGX023") == []


# -- NGX024 -------------------------------------------------------------------------------------------------------

def test_unknown_host_on_an_established_connection_reaches_the_rejecting_default_server(certs):
    conf = config(
        "server { listen 127.0.0.1:{port} ssl http2 default_server; ssl_reject_handshake on;\n"
        "  location = /x { return 200 default-server; } {catch_all} }\n"
        "server { listen 127.0.0.1:{port} ssl http2; server_name a.test; ssl_certificate a.pem;\n"
        "  ssl_certificate_key a.key; location / { return 200 a; } }\n")
    with Nginx(tree(certs, conf.replace("{catch_all}", ""))) as nginx:
        started(nginx)
        assert handshake(nginx.port, "b.test") is None  # an unknown name is rejected at the handshake…
        assert https_get(nginx.port, "a.test", "/x")[2] == "a"  # …a.test answers for itself…
        # …but b.test's request on a.test's connection is answered by the default server
        assert https_get(nginx.port, "a.test", "/x", host="b.test")[2] == "default-server"
        assert len(codes(nginx.lint(), "NGX024")) == 1
    with Nginx(tree(certs, conf.replace("{catch_all}", "location / { return 421; }"))) as nginx:
        started(nginx)
        assert https_get(nginx.port, "a.test", "/y", host="b.test")[0] == 421
        assert codes(nginx.lint(), "NGX024") == []


def test_a_rejecting_default_server_alone_opens_no_connection_to_reuse(certs):
    # gixy's fixtures, made whole: the rejecting server is the only one on the socket
    conf = config("server { listen 127.0.0.1:{port} ssl http2 default_server; ssl_reject_handshake on; }\n")
    with Nginx(tree(certs, conf)) as nginx:
        started(nginx)
        for sni in ("a.test", "b.test", "localhost"):
            assert handshake(nginx.port, sni) is None  # every handshake fails: no request ever reaches it
        assert codes(nginx.lint(), "NGX024") == []


# -- NGX026 -------------------------------------------------------------------------------------------------------

def test_keepalive_requests_closes_after_that_many_responses():
    conf = config("keepalive_requests 2;\nserver { listen 127.0.0.1:{port}; location / { return 200 ok; } }\n")
    with Nginx({"conf/nginx.conf": conf}) as nginx:
        started(nginx)
        connection = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=3)
        try:
            connection.request("GET", "/")
            first = connection.getresponse()
            first.read()
            connection.request("GET", "/")
            second = connection.getresponse()
            second.read()
        finally:
            connection.close()
        assert first.getheader("Connection", "").lower() == "keep-alive"
        assert second.getheader("Connection", "").lower() == "close"
        assert len(codes(nginx.lint("--extend-select", "NGX026"), "NGX026")) == 1
