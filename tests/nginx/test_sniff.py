"""Which discovered files are nginx configs: never a real one rejected, other programs' files named as such."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nginxlint.nginx.directives import LUA_BLOCK_DIRECTIVES
from nginxlint.nginx.parser import parse
from nginxlint.nginx.sniff import EMPTY, NGINX, NOT_NGINX, classify
from nginxlint.nginx.templates import detect, mask
from real_configs import real_configs

EXAMPLES = int(os.environ.get("NGINXLINT_PROPERTY_EXAMPLES", "200"))

# Files of other programs that discovery picks by name (*.conf, *.template, conf.d/*), written for these tests.
OTHER_PROGRAMS = {
    "fish/conf.d/lesspipe.fish": ("set -gx LESSOPEN '|lesspipe %s'\nset -gx LESS -R\n", "fish shell script"),
    # the nginx image renders it into conf.d/settings.js, a script its pages load
    "settings.js.template": ('"use strict";window.SERVER_URL="${SERVER_URL}";window.SERVER_NAME="${SERVER_NAME}";\n',
                             "JavaScript (its name ends in .js.template)"),
    "openssl.cnf": ("""\
HOME = .
openssl_conf = openssl_init

[ req ]
default_bits = 2048
distinguished_name = req_distinguished_name
prompt = no

[ req_distinguished_name ]
CN = localhost
""", "INI file"),
    "supervisord.conf": ("""\
[supervisord]
nodaemon=true
logfile=/dev/null

[program:nginx]
command=nginx -g 'daemon off;'
autorestart=true

[include]
files = /etc/supervisor/conf.d/*.conf
""", "supervisord"),
    "model.conf": ("""\
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && r.obj == p.obj && r.act == p.act
""", "INI file"),
    "nginx.service.conf": ("""\
[Unit]
Description=nginx
After=network.target

[Service]
Type=forking
ExecStart=/usr/sbin/nginx -g 'daemon on; master_process on;'
ExecReload=/usr/sbin/nginx -s reload

[Install]
WantedBy=multi-user.target
""", "systemd unit"),
    "zookeeper_jaas.conf": ("""\
Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_super="adminsecret";
};
Client {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    username="bob"
    password="bobsecret";
};
""", "JAAS"),
    "kong.conf": ("""\
# Kong configuration
prefix = /usr/local/kong/
log_level = notice
proxy_listen = 0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl
admin_listen = 127.0.0.1:8001
nginx_http_lua_shared_dict = custom_cache 5m
lua_package_path = ./?.lua;./?/init.lua;
database = off
""", "key = value"),
    "redis.conf": ("""\
bind 127.0.0.1 -::1
protected-mode yes
port 6379
daemonize no
maxmemory 256mb
maxmemory-policy allkeys-lru
include /etc/redis/local.conf
""", "Redis"),
    "mongod.conf": ("""\
storage:
  dbPath: /var/lib/mongodb
systemLog:
  destination: file
  path: /var/log/mongodb/mongod.log
net:
  port: 27017
  bindIp: 127.0.0.1
""", "YAML"),
    "Dockerfile.template": ("""\
FROM balenalib/%%BALENA_MACHINE_NAME%%-debian:bullseye
ARG NGINX_VERSION=1.25.3
RUN apt-get update && apt-get install -y nginx \\
    && rm -rf /var/lib/apt/lists/*
COPY nginx.conf /etc/nginx/nginx.conf
EXPOSE 80
CMD ["nginx", "-g", "daemon off;"]
""", "Dockerfile"),
    # a part of a Dockerfile a script pastes together (monicahq/docker): shell lines only, named for what it is
    "Dockerfile-install.template": ("""\
    for ext in tar.bz2 tar.bz2.asc; do \\
        curl -fsSL -o monica.$ext "https://example.com/monica.$ext"; \\
    done; \\
    tar -xf monica.tar.bz2 -C /var/www/html --strip-components=1; \\
    chown -R www-data:www-data /var/www/html;
""", "Dockerfile"),
    "compose.yaml.template": ("""\
services:
  web:
    image: nginx:${NGINX_TAG}
    ports:
      - "${PORT}:80"
    volumes:
      - ./templates:/etc/nginx/templates
""", "YAML"),
    "entrypoint.conf": ("""\
#!/bin/sh
set -e
if [ -n "$SERVER_NAME" ]; then
  export SERVER_NAME
fi
envsubst '${SERVER_NAME}' < /etc/nginx/nginx.conf.template > /etc/nginx/nginx.conf
exec nginx -g 'daemon off;'
""", "shell script"),
    "run.conf": ("#!/bin/sh\nset -e; echo starting; if [ -f /x ]; then echo y; fi\nexec nginx\n", "shell script"),
    "nginx": ("""\
/var/log/nginx/*.log {
	daily
	missingok
	rotate 14
	compress
	postrotate
		invoke-rc.d nginx rotate >/dev/null 2>&1
	endscript
}
""", "logrotate"),
    # ISC dhclient: `option`, `send` and `request` statements as nginx writes its lines
    "dhclient.conf": ("""\
option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
send host-name = gethostname();
request subnet-mask, broadcast-address, time-offset, routers;
append domain-name-servers 127.0.0.1;
timeout 300;
""", "DHCP client"),
    # ISC dhcpd: `key value;` lines as nginx writes them, and blocks of names no nginx module has
    "dhcpd.conf": ("""\
ddns-update-style none;
option domain-name "lan.example.org";
default-lease-time 600;

subnet 10.73.0.0 netmask 255.255.0.0 {
  range 10.73.100.20 10.73.100.100;
  option routers 10.73.0.254;
}

host mixer1 {
  hardware ethernet 28:d2:44:08:68:bc;
  fixed-address 10.73.1.1;
}
""", "DHCP server"),
    # a polkit rule shipped beside a distribution's nginx files (`*.rules.nginx`): JavaScript ending in `{`, `;`, `}`
    "com.example.systemctl.rules.nginx": ("""\
polkit.addRule(function(action, subject) {
    if (action.id == "com.example.policykit.pkexec.run-systemctl" &&
        subject.user != "nginx") {
        return polkit.Result.NO;
    }
});
""", "JavaScript"),
    # BIRD: `protocol` is a word nginx knows (the mail module's), but never with a block
    "bird.conf": ("""\
log syslog all;
debug protocols all;

protocol device {
}

protocol kernel {
    scan time 30;
}
""", "`protocol device {`"),
    "groups.conf": ("""\
symbols {
  "MAILCOW_AUTH" {
    description = "mailcow authenticated";
    score = -20.0;
  }
}
""", "key = value"),
    "sysctl.conf": ("""\
net.ipv4.ip_forward = 1
net.core.somaxconn = 65535
vm.overcommit_memory = 1
""", "key = value"),
    "ld.so.conf": ("include /etc/ld.so.conf.d/*.conf\n", "dynamic linker"),
    "tmux.conf": ("""\
set -g prefix C-a
unbind C-b
bind C-a send-prefix
set -g mouse on
""", "';'"),
    "vhost.conf": ("""\
<VirtualHost *:80>
    ServerName example.com
    DocumentRoot /var/www/html
    ErrorLog ${APACHE_LOG_DIR}/error.log
</VirtualHost>
""", "Apache"),
    # a quilt patch in debian/patches/, named after the file it changes: its lines are nginx directives
    "nginx_fix.conf": ("""\
Update the Lua path
--- a/nginx/crowdsec_nginx.conf
+++ b/nginx/crowdsec_nginx.conf
@@ -1,3 +1,3 @@
-lua_package_path '/usr/local/lua/crowdsec/?.lua;;';
+lua_package_path '/usr/lib/crowdsec/lua/?.lua;;';
 lua_shared_dict crowdsec_cache 50m;
 lua_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
""", "patch"),
    "0001-gzip.conf": ("""\
diff --git a/conf/nginx.conf b/conf/nginx.conf
index 3b18e51..a9c2f3d 100644
Binary files differ
""", "patch"),
    "tls.conf": ("""\
Index: conf/tls.conf
===================================================================
 ssl_protocols TLSv1.2 TLSv1.3;
 ssl_prefer_server_ciphers off;
 ssl_session_cache shared:SSL:10m;
""", "patch"),
    # SRS, the streaming server, borrows nginx's syntax for its own directives
    "platform/containers/conf/srs.release.conf": ("""\
listen              1935;
max_connections     1000;
srs_log_tank        console;
daemon              on;
http_server {
    enabled         on;
    listen          8080;
}
vhost __defaultVhost__ {
    hls { enabled on; }
}
""", "SRS"),
    # Mosquitto's listener for MQTT over WebSockets, beside the nginx that proxies to it
    "mosquitto/config/conf.d/websockets.conf": ("listener 9001\nprotocol websockets\n", "mosquitto"),
    # collectd's plugin config for nginx, kept as monitor/nginx.conf and copied to /etc/collectd/collectd.conf.d/
    "roles/nginx/files/monitor/nginx.conf": ("""\
LoadPlugin nginx

<Plugin nginx>
  URL "http://[::1]/nginx_status"
</Plugin>
""", "Apache-style"),
    "fluent-bit/parsers.d/nginx.conf": ("""\
[PARSER]
    Name   nginx-access
    Format regex
    Regex ^(?<remote>[^ ]*) (?<host>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^\\"]*?))?"$
    Time_Key time
    Time_Format %d/%b/%Y:%H:%M:%S %z

[PARSER]
    Name   nginx-error
    Format regex
    Regex ^(?<time>\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}) \\[(?<level>\\w+)\\]
""", "Fluent Bit"),
    # HOCON (Typesafe config) files of JVM services, named *.conf
    "helm/app/appconfig.conf": ("""\
# settings layered over the packaged defaults
include classpath("application.conf")

service {
  metrics {
    prometheus-enabled = true
  }
}
""", "HOCON"),
    "conf/application.conf": ("""\
include required(file("/etc/app/base.conf"))
akka {
  loglevel: "INFO"
  http.server {
    idle-timeout: 60s
    port: ${?HTTP_PORT}
  }
}
""", "HOCON"),
    # BIND's named.conf in a DNS container's directory, named *.conf
    "dns/named.conf": ("""\
options {
  directory "/var/bind";
  forwarders { 192.0.2.53; };
  recursion yes;
};

zone "consul" IN {
  type forward;
  forwarders { 127.0.0.1 port 8600; };
};
""", "BIND"),
    # an nftables ruleset: its #! line names the program that reads it
    "firewall/ruleset.rules": ("""\
#!/usr/sbin/nft -f

flush ruleset

table inet filter {
    chain input {
        type filter hook input priority 0; policy drop;
        iif lo accept
        tcp dport { 22, 80, 443 } accept
    }
}
include "/etc/nftables.d/*.conf"
""", "/usr/sbin/nft"),
    # a ruleset part that nginx's grammar would take (every statement ends with `;` or a block): the #! decides
    "firewall/nftables.conf.d/fail2ban.conf": ("""\
#!/usr/sbin/nft -f

table inet fail2ban {
    chain input {
        type filter hook input priority -1;
    }
}
""", "/usr/sbin/nft"),
    # OpenBSD's pf rules and ldapd config, named as their programs name them
    "openbsd/pf.conf": ("""\
# Basic PF rules for mail server.

mail_services="{www, https, smtp, submission, imap, imaps, pop3, pop3s, ssh}"

set block-policy drop
set skip on lo
pass in on egress proto tcp to port $mail_services
""", "pf firewall"),
    "openbsd/ldapd.conf": ("""\
schema "/etc/ldap/core.schema"
listen on lo0 secure
namespace "dc=example,dc=com" {
    rootdn  "cn=Manager,dc=example,dc=com"
    index   objectClass
}
""", "ldapd"),
    # a Logstash pipeline: its `if` blocks are words nginx knows, and not one line ends with ';'
    "logstash/pipelines/beats/13_normalize.conf": ("""\
########################
# normalization of non-network-traffic events
########################

filter {
  if ([winlog][event_data]) {
    mutate { id => "mutate_rename_winlog_event_data"
             rename => { "[winlog][event_data]" => "[winlog][event_data_flat]" } }
  }
  if ([event][module] == "winlog") { mutate { add_field => { "[event][kind]" => "event" } } }
}
""", "Logstash pipeline"),
    "tmux.conf": ("set -g mouse on\nbind S set synchronize-panes\n", "tmux's config"),
    # rsyslog's RainerScript: its `if` is a word nginx knows, and its block holds calls, not directives
    "modules/mcrouter/files/mcrouter.rsyslog.conf": ("""\
# rsyslogd(8) configuration file for mcrouter.
if ($programname startswith 'mcrouter') then {
    action(type="omfile" file="/var/log/mcrouter.log" FileCreateMode="0644")
}
""", "rsyslog's config"),
    # its conditions, which may run over lines, and `stop`, all nginx's shape
    "modules/openstack/files/glance/glance.rsyslog.conf": ("""\
# Drop health checks
if ($programname contains 'glance-api') and
       (re_match($msg, 'GET /')) then {
        stop
}
""", "rsyslog's config"),
    "modules/kafkatee/files/kafkatee_rsyslog.conf": ("if $programname == 'kafkatee' then /var/log/kafkatee.log\n",
                                                     "rsyslog's config"),
    # Shiny Server's config borrows nginx's blocks and `listen`, with directives of its own
    "modules/shiny_server/files/shiny-server.conf": ("""\
run_as shiny;
server {
  listen 3838;
  location / {
    site_dir /srv/shiny-server;
    log_dir /var/log/shiny-server;
    directory_index off;
  }
}
""", "Shiny Server"),
    # amavisd's conf.d files are Perl, with no suffix
    "mail/files/amavis/conf.d/node_id": ('use strict;\n#\n$myhostname = "mail.example.org";\n1;\n', "Perl"),
    # ferm's firewall rules: statements start with @
    "modules/ferm/files/ferm.conf": ("@include 'functions.conf';\n\n@include 'conf.d/';\n", "ferm's @include"),
    "apt/ffho.apt.conf": ('APT::Install-Recommends "false";\nAcquire::http::Proxy "http://10.0.0.1:3142";\n', "APT config"),
    "index.html.j2": ("""\
<!DOCTYPE html>
<html>
<head><title>{{ title }}</title>
<style> body { width: 35em; margin: 0 auto; } </style>
</head>
<body><h1>Welcome</h1></body>
</html>
""", "HTML"),
    "etc/2.conf": ("""# cache
http {
    ...
    proxy_cache_path /data/nginx/cache keys_zone=one:10m max_size=200m;
    server { listen 8080; proxy_cache one; location / { proxy_pass http://backend1; } }
}

# prevent cache error
fastcgi_cache_key $scheme$host$uri;
""", "excerpt"),
}


def verdict_of(text: str, name: str):
    language = detect(text, name)
    if language:
        text = mask(text, language).text
    return classify(text, name, parse(text, None, LUA_BLOCK_DIRECTIVES))


@pytest.mark.parametrize("name", sorted(OTHER_PROGRAMS))
def test_other_programs_files_are_not_nginx_and_the_reason_says_what_they_are(name):
    text, looks_like = OTHER_PROGRAMS[name]
    verdict = verdict_of(text, name)
    assert verdict.kind == NOT_NGINX, verdict
    assert looks_like in verdict.reason
    assert not verdict.is_nginx


def test_every_real_config_in_the_repository_is_nginx():
    configs = [(name, text) for name, text in real_configs() if "\0" not in text]  # NGX008's binary blob aside
    assert len(configs) > 150
    verdicts = {name: verdict_of(text, name) for name, text in configs}
    rejected = {name: verdict for name, verdict in verdicts.items() if verdict.kind == NOT_NGINX}
    assert rejected == {}
    assert sum(verdict.kind == NGINX for verdict in verdicts.values()) >= len(configs) - 5


NGINX_EDGE_CASES = {
    # a one-line fragment whose `;` is missing: broken nginx, not another format (NGX001 must still be reported)
    "dicts.conf": "lua_shared_dict cache 10m\n",
    # entries included into a geo or map block: no directive nginx knows, yet nginx
    "blocklist.conf": "10.0.0.0/8 1;\n192.168.0.0/16 1;\n# comment\n203.0.113.7 1;\n",
    "bots.map": '~*googlebot 0;\n~*(bing|yandex)bot 0;\ndefault 1;\n',
    # a module the directive table does not know, next to core directives
    "waf.conf": "app_protect_enable on;\napp_protect_policy_file /etc/app_protect/policy.json;\n"
                "location / { root /srv; }\n",
    # a syntax error on the first line, then plain nginx
    "early-error.conf": "worker_processes auto\nevents { worker_connections 1024; }\nhttp { server { listen 80; } }\n",
    # Lua blocks full of `key = value` lines
    "lua.conf": """\
init_by_lua_block {
    config = require "config"
    timeout = 5
    local cache = {}
    retries = 3
    backoff = 0.5
}
server { listen 80; location / { content_by_lua_block { x = 1 y = 2 ngx.say(x + y) } } }
""",
    # Lua's `...` (a function's extra arguments) alone on a line inside a Lua block
    "varargs.conf": "server { listen 80; location / { content_by_lua_block {\n    local f = function(...)\n"
                    "        return select('#',\n        ...\n        )\n    end\n    ngx.say(f(1, 2))\n} } }\n",
    # an unclosed Lua block: the parse stops inside Lua code
    "maintenance.conf": "content_by_lua_block {\n    ngx.status = 503\n    x = 1\n    ngx.say('{\"error\": 1}')\n",
    # a Helm-templated config: masked first, then nginx
    "nginx.conf": "server {\n  listen {{ .Values.port }};\n  {{- if .Values.tls }}\n  ssl_certificate x;\n"
                  "  {{- end }}\n}\n",
    # a Kong template, whose directive names are template expressions
    "custom.template": "> for _, el in ipairs(main) do\n$(el.name) $(el.value);\n> end\nevents {}\n"
                       "http { include 'k.conf'; }\n",
}


@pytest.mark.parametrize("name", sorted(NGINX_EDGE_CASES))
def test_nginx_edge_cases_stay_nginx(name):
    verdict = verdict_of(NGINX_EDGE_CASES[name], name)
    assert verdict.kind == NGINX, verdict
    assert 0 < verdict.confidence <= 1


def test_comments_only_is_empty_not_a_verdict_on_format():
    assert verdict_of("# nothing here\n\n   # still nothing\n", "x.conf").kind == EMPTY
    assert verdict_of("", "x.conf").kind == EMPTY


def test_ini_comment_lines_alone_are_not_nginx_since_nginx_rejects_them():
    verdict = verdict_of(";;;;;;;;\n; an intentionally empty file\n;;;;;;;;\n", "zz-debug.ini")
    assert verdict.kind == NOT_NGINX and "INI" in verdict.reason
    assert verdict_of("# nothing\n; nothing either\n", "x.conf").kind == NOT_NGINX
    assert verdict_of("# comment only\n", "x.conf").kind == EMPTY


def test_another_programs_directory_holds_nginx_only_when_the_content_says_so():
    comments = "# Nginx stub_status checking for the monitoring agent\n# Autoregister=nginx\n"
    for name in ("etc/zabbix/zabbix_agentd.conf.d/nginx.conf", "etc/fluent-bit/nginx.conf", "install/rhel/7/monit/nginx.conf",
                 "etc/logrotate.d/nginx.conf", "etc/supervisor/conf.d/nginx.conf", "etc/php81/nginx.conf"):
        verdict = verdict_of(comments, name)
        assert verdict.kind == NOT_NGINX and "a directory of another program" in verdict.reason, name
    assert verdict_of(comments, "etc/nginx/conf.d/nginx.conf").kind == EMPTY
    # Logstash's grok patterns for nginx's log lines, however deep below logstash/
    grok = "NGINXACCESS %{IPORHOST:clientip} %{USER:ident} \\[%{HTTPDATE:timestamp}\\] %{NUMBER:response}\n"
    assert verdict_of(grok, "elk/logstash/conf.d/patterns/nginx.conf").kind == NOT_NGINX
    # a directive nginx knows is evidence enough; a directory named for nginx below the other program's is too
    assert verdict_of("server { listen 80; }\n", "etc/php81/nginx.conf").kind == NGINX
    assert verdict_of("10.0.0.0/8 1;\n", "docker/php/nginx/blocklist.conf").kind == NGINX
    assert verdict_of("10.0.0.0/8 1;\n", "docker/php-nginx/blocklist.conf").kind == NGINX
    assert verdict_of("10.0.0.0/8 1;\n", "docker/php/blocklist.conf").kind == NOT_NGINX
    # an Ansible role installs one program: its files are that program's unless they read as nginx
    fastd = 'log to syslog level warn;\ninterface "mesh";\nmethod "null";\ninclude "secret.conf";\ninclude peers from "peers";\n'
    verdict = verdict_of(fastd, "roles/fastd/templates/fastd.conf")
    assert verdict.kind == NOT_NGINX and "roles/fastd/" in verdict.reason
    assert verdict_of("server { listen 80; }\n", "roles/webserver/files/site.conf").kind == NGINX
    assert verdict_of('include "secret.conf";\nmethod "null";\n', "roles/nginx-proxy/files/x.conf").kind == NGINX
    # Graphite's relay: `match` is nginx's name, but nginx's match takes a block
    relay = "cluster CarbonCacheCluster\n    carbon_ch\n    127.0.0.1:2004\n;\nmatch *\n    send to CarbonCacheCluster\n;\n"
    assert verdict_of(relay, "graphing/carbon-c-relay/carbon-c-relay.conf").kind == NOT_NGINX
    # syslog-ng's sources tailing nginx's logs: `source`, `log` and `};` parse as a broken nginx file
    tail = 'source s_nginx_error {\n    file("/var/log/nginx/error.log" flags(no-parse));\n};\n' \
           'log { source(s_nginx_error); destination(d_stdout); };\n'
    verdict = verdict_of(tail, "root-files/opt/syslog-ng/etc/conf.d/nginx.conf")
    assert verdict.kind == NOT_NGINX and "a directory of another program" in verdict.reason  # sure enough for nginx.conf


def test_the_loaders_parse_is_used_as_given():
    """classify() does not parse again when given the loader's parse: the verdict follows the parse it is given."""
    parsed = parse("events {}\nhttp { server { listen 80; } }\n", None, LUA_BLOCK_DIRECTIVES)
    assert classify("[section]\nkey = value\n", "a.conf", parsed).kind == NGINX
    assert classify("[section]\nkey = value\n", "a.conf").kind == NOT_NGINX


def test_user_declared_directives_count_as_known():
    text = "my_filter on;\nmy_filter_zone a 10m;\n"
    assert classify(text, "a.conf", extra=frozenset({"my_filter", "my_filter_zone"})).confidence == 1.0


PIECES = st.sampled_from([
    "server", "listen 80;", "{", "}", ";", "\n", " ", "=", ":", "- ", "[section]", "key = value", "FROM x",
    "#!/bin/sh", "#", "'", '"', "content_by_lua_block {", "x = 1", "<html>", "SecRule", "daily", "/var/log/*.log {",
    "{{ .Values.x }}", "{% if x %}", "$(x)", "\t", "é", "\\",
])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(PIECES, max_size=40), st.sampled_from(["a.conf", "x.template", "nginx.conf", "redis.conf", ""]))
def test_any_text_gets_a_verdict(pieces, name):
    verdict = verdict_of("".join(pieces), name)
    assert verdict.kind in (NGINX, NOT_NGINX, EMPTY) and 0 <= verdict.confidence <= 1
    assert verdict.kind != NOT_NGINX or verdict.reason


def test_a_kubernetes_manifest_is_not_nginx_though_its_configmap_carries_a_whole_nginx_conf():
    manifest = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gateway\ndata:\n  nginx.conf: |\n"
                "    events { worker_connections 1024; }\n    http {\n      lua_shared_dict state 10m;\n"
                "      server { listen 80; location / { content_by_lua_block { ngx.say(1) } } }\n    }\n")
    verdict = verdict_of(manifest, "docs/_res/auth-resty.template")
    assert verdict.kind == NOT_NGINX and "Kubernetes manifest" in verdict.reason
    # the keys must stand at the top level: an nginx config that only mentions them stays nginx
    assert verdict_of("# apiVersion: v1\n# kind: ConfigMap\nevents {}\nhttp { server { listen 80; } }\n",
                      "nginx.conf").kind == NGINX


def test_configs_of_other_daemons_are_not_nginx_though_they_share_its_words():
    named = ("// This is the primary configuration file for the BIND DNS server named.\n//\n// Please read the README.\n"
             "\ninclude \"/etc/bind/named.conf.options\";\ninclude \"/etc/bind/named.conf.local\";\n")
    verdict = verdict_of(named, "install/deb/bind/named.conf")
    assert verdict.kind == NOT_NGINX and "//" in verdict.reason
    dovecot = "##\n## IMAP specific settings\n##\n\nprotocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}\n"
    verdict = verdict_of(dovecot, "install/common/dovecot/2.3/conf.d/20-imap.conf")
    assert verdict.kind == NOT_NGINX and "dovecot/" in verdict.reason
    lda = "protocol lda {\n  # mail_plugins = $mail_plugins sieve\n}\n"  # parses, with one word nginx knows
    assert verdict_of(lda, "install/common/dovecot/2.4/conf.d/15-lda.conf").kind == NOT_NGINX
    # nginx's own mail proxy config beside it is still nginx's, and so is a file nginx reads in such a directory
    assert verdict_of("mail {\n    server { listen 143; protocol imap; }\n}\n", "conf/mail.conf").kind == NGINX
    assert verdict_of("server { listen 80; }\n", "docker/redis/nginx.conf").kind == NGINX


def test_a_cloud_init_config_is_not_nginx_though_it_writes_an_nginx_conf():
    cloud_config = ("#cloud-config\npackages: ['nginx']\n\nwrite_files:\n  - path: /etc/nginx/sites-enabled/default\n"
                    "    content: |\n        server {\n            listen 80;\n            location / {\n"
                    "                proxy_pass http://localhost:9090;\n            }\n        }\n")
    verdict = verdict_of(cloud_config, "terraform/modules/prom-ec2/prometheus/cloud.conf")
    assert verdict.kind == NOT_NGINX and "cloud-init" in verdict.reason


@pytest.mark.parametrize("lead", ["", "\n"])
def test_the_config_ingress_nginx_generated_is_not_linted(lead):
    """A dump of the controller's nginx.conf: it is made from the Ingress resources, which are what to change."""
    dump = f"{lead}# Configuration checksum: 9459928977867737552\n\n# setup custom paths that do not require root\n" \
           "pid /tmp/nginx/nginx.pid;\ndaemon off;\nevents { multi_accept on; }\nhttp { server { listen 80; } }\n"
    verdict = verdict_of(dump, "ingress/output.nginx.conf")
    assert verdict.kind == NOT_NGINX and "ingress-nginx" in verdict.reason
    assert verdict_of(dump.replace("Configuration checksum", "Configuration"), "nginx.conf").kind == NGINX


def test_a_curl_config_of_one_key_value_line_is_not_nginx_though_its_key_is_a_directive_name():
    # `user` is an nginx directive, but nginx never takes "=" as its argument: curl's --config syntax
    verdict = verdict_of('user = "kibana:secret"\n', "salt/kibana/files/curl.config.template")
    assert verdict.kind == NOT_NGINX and "key = value" in verdict.reason
    assert verdict_of("location = /healthz { return 200; }\n", "health.conf").kind == NGINX


def test_notes_with_pasted_snippets_are_not_nginx():
    """Install notes: prose, then build flags and shell lines with no `;` for many lines, then a pasted location."""
    flags = "".join(f"--with-module-{n}\n" for n in range(12))
    notes = f"\n这个上github\n{flags}\nlocation /nginx_status {{\n    stub_status on;\n    allow 127.0.0.1;\n}}\n"
    verdict = verdict_of(notes, "application/zabbix/install-record01.conf")
    assert verdict.kind == NOT_NGINX and "notes" in verdict.reason
    # a long statement with nginx's name is a config, however many lines it runs over
    long_map = "geo $blocked {\n" + "".join(f"    10.0.{n}.0/24 1;\n" for n in range(12)) + "}\n"
    assert verdict_of("server_name\n" + "".join(f"    a{n}.example.com\n" for n in range(12)) + ";\n" + long_map,
                      "conf.d/names.conf").kind == NGINX
