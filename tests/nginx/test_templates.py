"""Template languages in nginx configs: detection, masking that keeps every line and column, envsubst rendering."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nginxlint.container.start_placeholders import brace_tokens, sed_tokens
from nginxlint.nginx.directives import LUA_BLOCK_DIRECTIVES
from nginxlint.nginx.parser import parse
from nginxlint.nginx.template_tags import envsubst_tags
from nginxlint.nginx.templates import (
    UNKNOWN, ImageTemplates, defined_names, detect, is_unknown, mask, named_placeholders, render_envsubst,
)
from real_configs import real_configs

EXAMPLES = int(os.environ.get("NGINXLINT_PROPERTY_EXAMPLES", "200"))


def directives_at(text: str) -> dict[str, list[tuple[int, int, list[str]]]]:
    """name -> [(line, column, args)] of every directive, at any depth."""
    parsed = parse(text, None, LUA_BLOCK_DIRECTIVES)
    assert parsed.problem is None, parsed.problem
    found: dict[str, list] = {}
    stack = [parsed.directives]
    while stack:
        for directive in stack.pop():
            found.setdefault(directive.name, []).append((directive.span.line, directive.span.column, directive.args))
            if directive.block:
                stack.append(directive.block)
    return found


def position_of(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def assert_shape_kept(text: str, masked: str) -> None:
    assert len(masked) == len(text)
    assert [i for i, c in enumerate(masked) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]


def masked_as(text: str, name: str, language: str):
    """The text detected as `language` and masked, every position kept, and the directives read from it."""
    assert detect(text, name) == language
    masked = mask(text, language)
    assert_shape_kept(text, masked.text)
    return masked, directives_at(masked.text)


# Each language: a template, what it is detected as, and a directive after the tags that must keep its place.
LANGUAGES = {
    "helm": ("nginx.conf", """\
server {
    listen {{ .Values.service.port }};
{{- if .Values.tls.enabled }}
    ssl_certificate {{ .Values.tls.cert | quote }};
{{- end }}
    {{- include "proxy.locations" . | nindent 4 }}
    location /api { proxy_pass http://{{ .Release.Name }}-api:8080; }
    root /srv/www;
}
""", "root"),
    "go": ("nginx.tmpl", """\
{{ $cfg := .Cfg }}
http {
    {{ range $server := .Servers }}
    server {
        server_name {{ $server.Hostname }} {{ range $server.Aliases }}{{ . }} {{ end }};
        {{/* a comment with }} braces */}}
        keepalive_timeout 65;
    }
    {{ end }}
}
""", "keepalive_timeout"),
    "jinja": ("site.conf.j2", """\
{# managed by Ansible #}
{% for site in sites %}
server {
    listen {{ site.port | default(80) }};
    server_name {{ site.name }}{% if site.www %} www.{{ site.name }}{% endif %};
    {%- raw %}
    set $x "{{ literal }}";
    {% endraw %}
    gzip on;
}
{% endfor %}
""", "gzip"),
    "liquid": ("proxy_host.conf", """\
{% assign port = listen_port | default: 80 %}
server {
  listen {{ port }};
{% unless ipv6 %}
  # no IPv6
{% endunless %}
{% if ssl %}
  ssl_certificate {{ certificate.path }};
{% elsif h2 %}
  http2 on;
{% endif %}
  server_tokens off;
}
""", "server_tokens"),
    "erb": ("default-site.erb", """\
server {
  listen <%= node['nginx']['port'] %>;
<% if @ssl -%>
  ssl_certificate <%= @cert %>;
<% end -%>
<%# a comment %>
<% @locations.each do |path, target| -%>
  location <%= path %> { proxy_pass <%= target %>; }
<% end -%>
  access_log off;
}
""", "access_log"),
    "epp": ("vhost.epp", """\
server {
  listen <%= $port %>;
<% if $ssl { -%>
  ssl_certificate <%= $cert %>;
<% } else { -%>
  # plain
<% } -%>
  client_max_body_size 1m;
}
""", "client_max_body_size"),
    "lua-resty-template": ("nginx.conf", """\
{% for _, upstream in ipairs(upstreams) do %}
upstream {{upstream.name}} {
    server {*upstream.address*};
}
{% end %}
{# comment #}
{-raw-}set $raw "{{ kept as written }}";{-raw-}
server { listen 80; location / { proxy_pass http://{{name}}; } }
""", "location"),
    "kong": ("custom_nginx.template", """\
pid pids/nginx.pid;
> if wasm and wasm_dynamic_module then
load_module $(wasm_dynamic_module);
> end
error_log ${{PROXY_ERROR_LOG}} ${{LOG_LEVEL}};
events {
> for _, el in ipairs(nginx_events_directives) do
    $(el.name) $(el.value);
> end
}
http {
    include 'nginx-kong.conf';
}
""", "include"),
    "mako": ("nginx-auto.conf.template", """\
pid ${pid_file};
% if enable_debug:
error_log /var/log/nginx/error.log debug;
% endif
http {
% for i, location in enumerate(ingress.locations):
  upstream app_server${i} {
  <%
    weight = 1
  %>
    server ${location.backend};
  }
% endfor
  server_tokens off;
}
""", "server_tokens"),
    "envsubst": ("default.conf.template", """\
server {
    listen ${NGINX_PORT};
    server_name ${NGINX_HOST} $HOSTNAME;
    location / { proxy_pass http://$BACKEND:8080$request_uri; set $x "${host}"; }
    error_page 404 /404.html;
}
""", "error_page"),
    # Zimbra's and Carbonio's proxy config generator: dotted names, on/off prefixes, a line that repeats a block
    "dotted": ("nginx.conf.web.https.template", """\
!{explode domain(vhn)}
server {
    listen ${web.https.port} ${web.add.headers.default};
    ${web.strict.servername}server_name ${vhn};
    ${vhn}
    ssl_protocols ${web.ssl.protocols};
    location / { proxy_pass ${web.upstream.schema}://${web.upstream.:servers}; }
    access_log /opt/zextras/log/nginx.access.log;
}
""", "access_log"),
    # an installer's Python string.Template with `%` as its delimiter (modoboa-installer's nginx site)
    "percent": ("modoboa.conf.tpl", """\
server {
    listen 443 ssl;
    server_name %{hostname};
    root %{modoboa_instance_path};
    access_log /var/log/nginx/%{hostname}-access.log;
    location /static/ { alias %{modoboa_instance_path}/sitestatic/; }
}
""", "access_log"),
    "mustache": ("virtualconf.mustache", """\
{{! the site a generator renders }}
server {
    {{#multisite}}
    listen 80 default_server;
    {{/multisite}}
    server_name {{site_name}} {{#multisite}}*{{/multisite}}{{^multisite}}www{{/multisite}}.{{site_name}};
    {{^proxy}}
    root {{{webroot}}}/htdocs;
    {{/proxy}}
    {{> common}}
    access_log /var/log/nginx/{{site_name}}.access.log;
}
""", "access_log"),
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_each_language_is_detected_and_masked_keeping_positions(language):
    name, text, probe = LANGUAGES[language]
    assert detect(text, name) == language
    masked = mask(text, language)
    assert_shape_kept(text, masked.text)
    found = directives_at(masked.text)  # parses without a problem
    line, column, _ = found[probe][0]
    assert (line, column) == position_of(text, probe + " ")
    # Every directive the parser finds sits where the template has its name.
    lines = text.split("\n")
    for name, places in found.items():
        for line, column, _ in places:
            if not is_unknown(name):
                assert lines[line - 1][column - 1:column - 1 + len(name)] == name
    # Outside the masked regions not one character changed.
    changed = {i for i, (a, b) in enumerate(zip(text, masked.text)) if a != b}
    covered = {i for region in masked.regions for i in range(region.start, region.end)}
    assert changed <= covered
    assert masked.note.startswith("templated with ") and "values behind them unknown" in masked.note


def test_mustache_sections_and_unescaped_values_tell_mustache_whatever_the_name():
    """`{{#apis}}` holds a `{#`, which opens a Jinja comment: read as Jinja, the adjacent `{{{…}}}{{{…}}}` left a
    brace behind, and nginx's parse stopped there."""
    text = ("server {\n    {{#apis}}\n    location {{{MOUNT_POINT}}}{{{mount_point}}} {\n"
            "        proxy_pass {{{API_URL}}};\n    }\n    {{/apis}}\n}\n")
    assert detect(text, "nginx.conf.template") == "mustache"
    found = directives_at(mask(text, "mustache").text)
    assert [line for line, _column, _args in found["proxy_pass"]] == [4]
    # Jinja's own statements still decide for Jinja
    assert detect("{% if tls %}\nserver {\n    {{#x}} listen 443;\n}\n{% endif %}\n", "nginx.conf") == "jinja"


def test_value_tags_become_one_unknown_word_and_line_tags_become_spaces():
    name, text, _ = LANGUAGES["helm"]
    masked = mask(text, "helm")
    found = directives_at(masked.text)
    (listen,) = found["listen"]
    assert listen[:2] == (2, 5) and len(listen[2]) == 1 and is_unknown(listen[2][0])
    assert set(listen[2][0]) == {UNKNOWN} and len(listen[2][0]) == len("{{ .Values.service.port }}")
    proxy_pass = found["proxy_pass"][0][2][0]
    assert proxy_pass.startswith("http://" + UNKNOWN) and proxy_pass.endswith("-api:8080")
    # `{{- include … | nindent 4 }}` stands for whole lines: spaces, not a directive named ░░░
    assert masked.text.split("\n")[5].strip() == ""
    assert not any(is_unknown(name) for name in found)
    # Rules learn where values are unknown.
    assert masked.unknown_at((2, 12, 2, 13)) and not masked.unknown_at((8, 5, 8, 9))
    spans = masked.spans()
    assert spans[0] == ((2, 12, 2, 38), "value") and ((3, 1, 3, 30), "blank") in spans
    # the include may render directives out of view; the conditional's branch is in view
    assert masked.out_of_view() == [(6, 5)]


def test_loops_and_splices_may_render_lines_out_of_view_conditionals_do_not():
    go = mask("http {\n{{ range .Servers }}\nserver { listen 80; }\n{{ end }}\n{{ if .X }}gzip on;{{ end }}\n}\n", "go")
    assert go.out_of_view() == [(2, 1)]
    jinja = mask("http {\n{% include 'servers.conf' %}\n{% if tls %}listen 443 ssl;{% endif %}\n}\n", "jinja")
    assert jinja.out_of_view() == [(2, 1)]
    assert mask("listen {{ port }};\n{# note #}\n", "jinja").out_of_view() == []


def test_both_branches_kept_when_each_balances():
    text = "server {\n{% if ssl %}\n    listen 443 ssl;\n{% else %}\n    listen 80;\n{% endif %}\n}\n"
    found = directives_at(mask(text, "jinja").text)
    assert [args for _, _, args in sorted(found["listen"])] == [["443", "ssl"], ["80"]]


@pytest.mark.parametrize("language,text", [
    ("jinja", "{% if ssl %}\nserver {\n    listen 443 ssl;\n{% else %}\nserver {\n    listen 80;\n{% endif %}\n"
              "    root /srv;\n}\n"),
    ("go", "{{ if .ssl }}server { listen 443;{{ else if .h2 }}server { listen 8443;{{ else }}server { listen 80;"
           "{{ end }}\n    root /srv;\n}\n"),
    ("erb", "<% if @ssl %>\nserver {\n  listen 443;\n<% elsif @h2 %>\nserver {\n<% else %>\nserver {\n<% end %>\n"
            "  root /srv;\n}\n"),
    ("kong", "> if ssl then\nserver {\n> else\nserver {\n    listen 80;\n> end\n    root /srv;\n}\n"),
    ("mako", "% if ssl:\nserver {\n    listen 443;\n% else:\nserver {\n    listen 80;\n% endif\n    root /srv;\n}\n"),
])
def test_unbalanced_else_branches_are_left_out_so_braces_balance(language, text):
    masked = mask(text, language)
    assert_shape_kept(text, masked.text)
    found = directives_at(masked.text)
    assert len(found["server"]) == 1 and found["root"][0][:2] == position_of(text, "root")
    assert any(region.kind == "dropped" for region in masked.regions)
    assert "left out to keep braces balanced" in masked.note


def test_a_conditional_inside_one_directive_keeps_its_first_branch():
    text = ('set $connection {{ if $l.HasKeepalive }}""{{ else }}close{{ end }};\n'
            "server_name www.{{ if .x }}a{{ else }}b{{ end }}.com;\n")
    found = directives_at(mask(text, "go").text)
    assert found["set"][0][2] == ["$connection", ""]
    (name,) = found["server_name"][0][2]
    assert name.startswith("www." + UNKNOWN) and name.endswith(".com") and " " not in name


def test_nested_conditionals_balance():
    text = """\
{% if a %}
server {
  {% if b %}
  location / {
  {% else %}
  location /x {
  {% endif %}
    root /a;
  }
{% else %}
server {
{% endif %}
  listen 80;
}
"""
    found = directives_at(mask(text, "jinja").text)
    assert len(found["server"]) == 1 and len(found["location"]) == 1 and found["listen"][0][:2] == (13, 3)


NGINX_WITH_LOOKALIKES = """\
# a comment may show a template: listen {{ .Values.port }}; {% if x %} <%= y %> ${PORT}
http {
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    log_format json escape=json '{"uri":"$request_uri","host":"${host}"}';
    server {
        set $BACKEND_HOST backend;
        location ~ ^/(?<Path>.*)$ { proxy_pass http://${BACKEND_HOST}/${Path}$is_args$args; }
        location /lua {
            content_by_lua_block {
                local t = {{1, 2}, {3, 4}}
                local n = {#t}
                ngx.say(string.format("{%s}", n), "{{ not a template }}")
                -- > if this were Kong it would be at the start of a line
            }
        }
    }
}
"""


def test_nginx_variables_and_lua_code_are_not_templates():
    assert detect(NGINX_WITH_LOOKALIKES, "nginx.conf") is None
    assert detect(NGINX_WITH_LOOKALIKES, "default.conf.template") is None


def test_a_template_tag_may_stand_for_several_arguments_and_a_literal_count_is_still_checked(tmp_path):
    from lintkit import run_cli, write_tree

    write_tree(tmp_path, {"conf/nginx.conf": 'events {}\nhttp {\n    large_client_header_buffers '
                          '{{ env.BUFFERS | default: "4 8k" }};\n    client_max_body_size 1m 2m;\n}\n'})
    found = run_cli([".", "--format", "json", "--select", "NGX006"], cwd=tmp_path).json["findings"]
    assert [(f["line"], f["column"]) for f in found] == [(4, 29)]


def test_jinja_expressions_with_calls_and_operators():
    assert detect("lua_shared_dict lock {{ normalize_memory_size(LOCK_SIZE) }};\n", "lock.conf") == "jinja"
    assert detect('listen {{ "443 ssl" if USE_TLS else "80" }};\n', "listen.conf") == "jinja"


def test_a_template_of_a_template_masks_each_escaped_tag_whole():
    # `{{ '{{' }} host }}` renders `{{ host }}`, a tag of the template it renders: its `}}` is no nginx brace
    text = ("{{ '{%' }} if ssl and \"{{ name }}\" in sites {{ '%}' }}\n"
            "upstream {{ name }}_app {\n"
            "    server {{ '{{' }} host }}:{{ '{{' }} {{ name }}_port }} fail_timeout=0;\n"
            "}\n"
            "{{ '{%' }} endif {{ '%}' }}\n")
    assert detect(text, "ROLE.j2") == "jinja"
    masked = mask(text, "jinja")
    assert len(masked.text) == len(text) and masked.text.count("\n") == text.count("\n")
    found = directives_at(masked.text)
    assert found["upstream"][0][:2] == (2, 1)
    (line, column, args), = found["server"]
    assert (line, column, len(args)) == (3, 5, 2) and is_unknown(args[0]) and args[1] == "fail_timeout=0"
    assert "if" not in masked.text and "endif" not in masked.text


def test_no_real_nginx_config_is_taken_for_a_template():
    configs = real_configs()
    assert len(configs) > 150
    templated = {name: language for name, text in configs if (language := detect(text, name))}
    # the rule cases about templates name their files *.template or *.j2, or write Lapis's `${{NAME}}` (a Lapis
    # application's nginx.conf is its template); every other config is plain nginx, or holds fill-in placeholders
    # on purpose
    texts = dict(configs)
    assert [name for name, language in templated.items() if not name.endswith((".template", ".j2"))
            and language != "fill-ins" and not (language == "kong" and "${{" in texts[name])] == []
    # (named without the case's number, which a case added before it shifts)
    assert [re.sub(r"#\d+", "", name) for name, language in templated.items() if language == "fill-ins"] == [
        "LUA209.yaml:conf/nginx.conf", "NGX001.yaml:conf/nginx.conf", "NGX002.yaml:conf/kaltura-nginx.conf.template",
        "NGX006.yaml:conf/nginx.conf", "SEC523.yaml:conf/nginx-ssl.conf"]


def test_variables_the_config_tree_defines_elsewhere_are_nginx_not_envsubst():
    fragment = "location / { add_header Access-Control-Allow-Origin $CORS_ORIGIN; }\n"
    assert detect(fragment, "cors.conf") == "envsubst"
    assert detect(fragment, "cors.conf", nginx_variables=frozenset({"cors_origin"})) is None
    assert mask(fragment, "envsubst", frozenset({"cors_origin"})).text == fragment


def test_envsubst_masks_upper_case_names_the_config_does_not_define():
    text = "set $PORT 1;\nlisten ${PORT} $HOST ${NGINX_PORT} $Mixed $lower ${NAME:-x};\n"
    masked = mask(text, "envsubst")
    args = directives_at(masked.text)["listen"][0][2]
    assert args[0] == "${PORT}" and is_unknown(args[1]) and is_unknown(args[2])
    assert args[3:5] == ["$Mixed", "$lower"]
    # a shell's default (`${NAME:-x}`, as envplate or a heredoc fills in) is no nginx variable: a renderer's too
    assert is_unknown(args[5])


def test_a_reference_in_braces_is_masked_with_its_braces_whatever_nginx_variable_its_name_spells():
    """`root {$SERVER_PATH}/lam;`: a hosting panel fills these in with str.replace before nginx reads the file."""
    text = "server {\n    listen {$PORT};\n    server_name {$SERVER_NAME};\n    root {$SERVER_PATH}/lam;\n" \
           "    location / { if ($http_x) { return 404; } }\n}\n"
    assert detect(text, "site.conf") == "envsubst"
    masked = mask(text, "envsubst")
    assert "{$" not in masked.text and len(masked.text) == len(text)
    server = directives_at(masked.text)
    assert is_unknown(server["listen"][0][2][0]) and is_unknown(server["server_name"][0][2][0])
    assert "if" in server  # the block after them is read as one


def test_a_shell_default_makes_a_file_a_template_and_is_masked():
    text = "http {\n    rewrite_log ${NGINX_REWRITE_LOG:-off};\n    server { listen ${PORT:=8080}; }\n}\n"
    assert detect(text, "nginx.conf") == "envsubst"
    masked = mask(text, "envsubst")
    assert "${" not in masked.text and len(masked.text) == len(text)


def test_a_shell_alternative_that_writes_a_whole_directive_is_one_tag():
    """a8m/envsubst writes the word after `+` when the name is set, after `-` when it is not: a directive with nginx's
    own variables in it, and a `}` that closes the expansion, not a block."""
    text = ("http {\n    server {\n        location / {\n"
            "            ${UI_SERVER+#}${UI_SERVER-try_files $uri $uri.html /index.html;}\n"
            "            ${UI_SERVER+proxy_set_header Host $host;}\n            ${UI_SERVER+proxy_pass http://ui;}\n"
            "        }\n        listen 80;\n    }\n}\n")
    assert detect(text, "nginx.conf") == "envsubst"
    masked = mask(text, "envsubst")
    assert "${" not in masked.text and len(masked.text) == len(text)
    found = directives_at(masked.text)
    assert [line for line, _column, _args in found["listen"]] == [8]  # the server's block is read to its end


def test_a_variable_alone_on_its_line_is_a_slot_a_renderer_fills_with_lines():
    text = "stream {\n    upstream api {\n        least_conn;\n${servers}\n        ${BACKUP}\n    }\n}\n"
    assert detect(text, "nginx.conf") == "envsubst"
    masked = mask(text, "envsubst")
    assert "$" not in masked.text and len(masked.text) == len(text)
    assert detect("http {\n    map $uri $x { default $y; }\n}\n", "nginx.conf") is None
    closed = "server {\n    listen ${PORT};\n    location / { proxy_pass http://app; }\n${redirect_config}}\n"
    masked = mask(closed, "envsubst")
    assert masked.text.rstrip().endswith("}") and "$" not in masked.text  # the slot's lines, then the server's close


def test_in_an_envsubst_template_an_upper_case_name_is_the_environments_whatever_case_the_config_defines():
    template = ('map $http_host $php {\n    default ${PHP_FPM};\n}\n'
                'map $http_host $root_path {\n    default "${ROOT_PATH}";\n}\n')

    def defaults(text):
        return [args for _line, _column, args in sorted(directives_at(text)["default"])]

    assert all(is_unknown(args[0]) for args in defaults(mask(template, "envsubst").text))
    # the config's own spelling, a name the rest of the tree defines, and a file with no other tag stay nginx's
    assert defaults(mask(template.replace("$root_path", "$ROOT_PATH"), "envsubst").text)[1] == ["${ROOT_PATH}"]
    assert defaults(mask(template, "envsubst", frozenset({"root_path"})).text)[1] == ["${ROOT_PATH}"]
    plain = 'map $http_host $root_path {\n    default "/srv";\n}\nroot $ROOT_PATH;\n'
    assert detect(plain, "site.conf") is None


def test_environment_names_that_only_share_a_prefix_with_nginx_variables_are_envsubst_references():
    text = ("ssl_prefer_server_ciphers ${SSL_PREFER_CIPHERS};\nreal_ip_recursive ${UPSTREAM_REAL_IP_RECURSIVE};\n"
            "add_header X-Verify $SSL_CLIENT_VERIFY;\nadd_header X-Up $UPSTREAM_HTTP_SERVER;\n"
            "add_header X-Host $HTTP_HOST;\n")
    found = directives_at(mask(text, "envsubst").text)
    assert is_unknown(found["ssl_prefer_server_ciphers"][0][2][0])
    assert is_unknown(found["real_ip_recursive"][0][2][0])
    assert [args for _line, _column, args in found["add_header"]] == [
        ["X-Verify", "$SSL_CLIENT_VERIFY"], ["X-Up", "$UPSTREAM_HTTP_SERVER"], ["X-Host", "$HTTP_HOST"]]


# --- placeholder tokens a start script replaces with sed ---

def test_sed_tokens_are_upper_case_words_a_script_replaces_in_place():
    script = """#!/bin/sh
sed -i.bak -r 's#SET_REAL_IP_FROM#'"${SET_REAL_IP_FROM}"'#' /etc/nginx/includes/proxy_backend.conf
sed -ir 's#HTTP3_CONFIG#'"${HTTP3_CONFIG}"'#' /etc/nginx/conf.d/default.conf
sed -i -e "s/RESOLVERS/${RESOLVERS}/" -e 's|LOG_LEVEL|warn|g' /etc/nginx/nginx.conf
sed --in-place "s/BACKEND_URL/$URL/" a.conf
sed 's/NOT_IN_PLACE/x/' a.conf > b.conf
RESOLVERS="$(echo "${RESOLVERS}" | sed 's/\\(.*:.*\\)/[\\1]/' | xargs)"
sed -i 's/AB/x/; s/lower_case/x/' a.conf
"""
    assert sed_tokens(script) == {"SET_REAL_IP_FROM", "HTTP3_CONFIG", "RESOLVERS", "LOG_LEVEL", "BACKEND_URL"}


def test_sed_tokens_wrapped_in_at_signs_also_written_as_one_character_classes():
    script = """#!/bin/sh
sed -i -e "s/[@]INCLUDE_SERVER_BLOCKS[@]/include \\/etc\\/nginx\\/$NAME.conf;/" /etc/nginx/nginx.conf
sed -i 's/@PORT@/80/' a.conf
"""
    assert sed_tokens(script) == {"@INCLUDE_SERVER_BLOCKS@", "@PORT@"}


def test_sed_tokens_wrapped_in_exclamation_marks():
    script = """#!/bin/sh
[ ! -z "${UPSTREAM_HOST}" ] && sed -i "s/!UPSTREAM_HOST!/${UPSTREAM_HOST}/" $VHOST_FILE
sed -i "s/!AB!/x/" $VHOST_FILE
"""
    assert sed_tokens(script) == {"!UPSTREAM_HOST!"}


def test_sed_tokens_wrapped_in_braces_percent_signs_or_underscores_and_continued_lines():
    script = """#!/bin/bash
sed -i \\
    -e "s/{HTTP_INDEX_FILE}/${HTTP_INDEX_FILE}/g" \\
    -e 's|%LOG_LEVEL%|warn|' \\
"$ZABBIX_ETC_DIR/nginx.conf"
sed -i 's/__PORT__/8080/; s/{AB}/x/' a.conf
sed -e 's/{NOT_IN_PLACE}/x/' a.conf > b.conf
sed -i "s/{site}/$site/g; s/%lower%/x/" conf.d/$site.conf
sed -i "s/{%APP_HOST%}/${APP_HOST}/g" /etc/nginx/conf.d/mattermost.conf
"""
    # in braces a name of any case is a token (`{site}`); bare or in the other wrappings, upper case only
    assert sed_tokens(script) == {"{HTTP_INDEX_FILE}", "%LOG_LEVEL%", "__PORT__", "{site}", "{%APP_HOST%}"}


def test_brace_tokens_are_words_in_braces_a_script_quotes_whole():
    script = ('conf=$(replace "${conf}" "{site_hosts}" "${HOSTS}")\n'
              "conf=${conf//'{tls_cert}'/$CERT}\n"
              'echo "${site_path}" "{x}" "a {not_whole}" {unquoted}\n')
    assert brace_tokens(script) == {"{site_hosts}", "{tls_cert}"}


def test_angle_tokens_are_words_in_angle_brackets_a_script_replaces_in_place():
    script = ('cp nginx.conf.sample /etc/nginx/nginx.conf &&\n'
              'sed -i "s/<cluster-nodeport-public-of-all-nodes>/$upstream_server_public/g" /etc/nginx/nginx.conf &&\n'
              'sed -i "s|<cluster-ssl-certificate>|$certs|g" /etc/nginx/nginx.conf\n'
              'sed "s/<not-in-place>/x/" a.conf > b.conf\n'
              'for ip in $(sed "s/,/\\n/g" <<< $ips); do echo "<td>"; done\n')
    assert brace_tokens(script) == {"<cluster-nodeport-public-of-all-nodes>", "<cluster-ssl-certificate>"}


def test_placeholder_tokens_are_masked_keeping_positions_and_nothing_else():
    text = ("server {\n    listen ${PORT};\n    PROXY_SSL_CONFIG\n\n    location / { return 200; }\n"
            "    resolver RESOLVERS valid=30s;\n    set $PROXY_SSL_CONFIG 1;\n    # PROXY_SSL_CONFIG here\n"
            "    add_header X-Token ${PROXY_SSL_CONFIG}x;\n}\n")
    tokens = frozenset({"PROXY_SSL_CONFIG", "RESOLVERS"})
    assert detect(text, "default.conf.template", placeholders=tokens) == "envsubst"
    masked = mask(text, "envsubst", placeholders=tokens)
    assert len(masked.text) == len(text) and masked.text.count("\n") == text.count("\n")
    assert "placeholder tokens a script of the repository replaces masked too" in masked.note
    found = directives_at(masked.text)
    assert "PROXY_SSL_CONFIG" not in found  # alone on its line: blanked, so `location` stays a location
    assert found["location"] == [(5, 5, ["/"])]
    assert is_unknown(found["resolver"][0][2][0]) and found["resolver"][0][2][1] == "valid=30s"
    assert found["set"][0][2] == ["$PROXY_SSL_CONFIG", "1"]
    assert found["add_header"][0][2][1] == "${PROXY_SSL_CONFIG}x"


def test_a_file_whose_only_tags_are_placeholder_tokens():
    text = "server {\n    listen 80;\n    HTTP3_CONFIG\n    location / { return 200; }\n}\n"
    assert detect(text, "default.conf") is None
    assert detect(text, "default.conf", placeholders=frozenset({"HTTP3_CONFIG"})) == "placeholders"
    masked = mask(text, "placeholders", placeholders=frozenset({"HTTP3_CONFIG"}))
    assert masked.text == text.replace("HTTP3_CONFIG", " " * len("HTTP3_CONFIG"))
    assert masked.note.startswith("templated with placeholder tokens a script of the repository replaces")


# --- fill-in placeholders the user replaces before use ---

def test_fill_in_placeholders_are_one_unknown_value_each_whatever_the_words():
    text = ("server {\n    ssl_certificate /certs/[FULLCHAIN FILE NAME];\n    server_name <your-domain> [YOUR_ALIAS];\n"
            "    proxy_pass http://<BACKEND_HOST>:8080;\n    return 200 \"<html>[NOT FOUND]</html>\";\n"
            "    location ~ ^/[A-Z]+/(?<LANG_CODE>[a-z]+)$ { access_log off; }  # [SEE THE DOCS]\n"
            "    content_by_lua_block { ngx.say(\"<your-name>\") }\n}\n")
    masked, found = masked_as(text, "site.conf", "fill-ins")
    assert is_unknown(found["ssl_certificate"][0][2][0]) and len(found["ssl_certificate"][0][2]) == 1
    assert all(is_unknown(arg) for arg in found["server_name"][0][2]) and len(found["server_name"][0][2]) == 2
    assert is_unknown(found["proxy_pass"][0][2][0])
    assert found["return"][0][2] == ["200", "<html>[NOT FOUND]</html>"]  # quoted text is sent as written
    assert found["location"][0][2] == ["~", "^/[A-Z]+/(?<LANG_CODE>[a-z]+)$"]
    assert "<your-name>" in masked.text  # Lua code is not the config's
    assert masked.note == ("fill-in placeholders to replace before use (`[FULLCHAIN FILE NAME]`, `<your-domain>` and 2 "
                           "more): masked, values behind them unknown")
    assert not masked.hides_directives
    # an INI section alone on its line and a key after a word (a PHP-FPM pool file) are no values to fill in
    assert detect("[POOL_MAIN]\nenv[DB_HOST] = db\n", "www.conf") is None


def test_an_interpolated_name_inside_a_word_is_a_fill_in_and_one_that_starts_a_word_a_comment():
    text = "server {\n    server_name build.#{MAIN_DOMAIN};\n    listen 80; #{TODO}\n}\n"
    masked, found = masked_as(text, "develop.conf", "fill-ins")
    assert is_unknown(found["server_name"][0][2][0]) and found["listen"][0][2] == ["80"]
    assert "#{TODO}" in masked.text and masked.note.startswith("fill-in placeholders to replace before use (`#{")
    assert detect("server {\n    listen 80; #{TODO}\n}\n", "a.conf") is None


def test_an_autoconf_name_an_install_package_replaces_is_a_fill_in_but_not_a_named_location():
    text = ("include @NGINX_CONF_PATH@/http.conf;\nserver {\n    listen @VOD_PORT@;\n"
            "    error_page 404 @FALLBACK;\n    location @FALLBACK { return 404; }\n}\n")
    masked, found = masked_as(text, "kaltura.conf.template", "fill-ins")
    assert is_unknown(found["listen"][0][2][0]) and is_unknown(found["include"][0][2][0][:17])
    assert found["error_page"][0][2] == ["404", "@FALLBACK"] and found["location"][0][2] == ["@FALLBACK"]


def test_what_a_secret_scrubber_left_is_a_fill_in():
    text = ("server {\n    server_name ***REMOVED: example.ddns.com***;\n"
            "    proxy_pass http://***REMOVED***:8096;\n    listen 80;\n}\n")
    masked, found = masked_as(text, "default.nginx", "fill-ins")
    assert is_unknown(found["server_name"][0][2][0]) and len(found["server_name"][0][2]) == 1
    assert is_unknown(found["proxy_pass"][0][2][0]) and found["listen"][0][2] == ["80"]


def test_fill_in_placeholders_beside_a_template_language_are_masked_too():
    text = "server {\n    listen ${PORT};\n    ssl_certificate /certs/[CERT FILE];\n}\n"
    assert detect(text, "default.conf.template") == "envsubst"
    masked = mask(text, "envsubst")
    assert is_unknown(directives_at(masked.text)["ssl_certificate"][0][2][0])
    assert masked.note.endswith("; fill-in placeholders to replace before use masked too (`[CERT FILE]`)")
    assert not masked.hides_directives  # each tag a value inside a directive: the directives are all there
    assert mask("server {\n    ${EXTRA_DIRECTIVES}\n}\n", "envsubst").hides_directives  # a tag where they go


def test_a_jinja_compose_template_is_noted_not_reported(tmp_path):
    from lintkit import run_cli, write_tree

    write_tree(tmp_path, {"conf/nginx.conf": "events {}\nhttp { server { listen 80; } }\n",
                          "setup/docker-compose.yml": "{% set env='mailu.env' %}\nservices:\n  front:\n"
                          "    image: nginx:1.27\n    env_file: {{ env }}\n"})
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert [f for f in result["findings"] if f["code"] == "K8S404"] == []
    assert any(n["path"] == "setup/docker-compose.yml" and "unrendered template" in n["message"]
               for n in result["notifications"]), result["notifications"]


def test_a_chart_configmap_with_template_actions_in_its_strings_is_read_with_its_tags_masked(tmp_path):
    from lintkit import run_cli, write_tree

    configmap = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-nginx\ndata:\n  upstreams.conf: |\n"
                 "    upstream api {\n        server {{ include \"app.name\" . }}:{{ .Values.port }};\n    }\n")
    write_tree(tmp_path, {"chart/Chart.yaml": "name: web\n", "chart/templates/nginx-conf.yaml": configmap,
                          "rendered/nginx-conf.yaml": configmap.replace("{{ .Values.port }}", "{{ $port }}")})
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    notes = {n["path"]: n["message"] for n in result["notifications"]}
    assert notes["chart/templates/nginx-conf.yaml"].startswith("templated with Helm: tags masked")
    # outside a chart, actions inside a string may be the rendered output's own text (alert rules, dashboards)
    assert "rendered/nginx-conf.yaml" not in notes


def test_a_manifest_named_as_a_template_is_noted_not_read(tmp_path):
    from lintkit import run_cli, write_tree

    write_tree(tmp_path, {"conf/nginx.conf": "events {}\nhttp { server { listen 80; } }\n",
                          "deploy/docker-compose.template.yml": "#!for default\nservices:\n  web:\n"
                          "    image: nginx:1.27\n    env_file: a\n    env_file: b\n"})
    result = run_cli([".", "--format", "json"], cwd=tmp_path).json
    assert [f for f in result["findings"] if f["code"] == "K8S404"] == []
    assert {n["path"]: n["message"] for n in result["notifications"]}["deploy/docker-compose.template.yml"] == (
        "not read: a template of manifests (so named); the files made from it are read")


# --- the official image's envsubst step ---


def test_render_substitutes_only_defined_names_like_the_image():
    text = "listen ${PORT}; server_name $HOST ${UNSET} $host ${PORT:-80} $PORTx;\n"
    rendered = render_envsubst(text, {"PORT": "8080", "HOST": "example.com"})
    assert rendered.text == "listen 8080; server_name example.com ${UNSET} $host ${PORT:-80} $PORTx;\n"
    # positions map back to the template: after a value, to the same place; inside a value, to the reference
    assert rendered.positions.original(rendered.text.index("server_name")) == text.index("server_name")
    assert rendered.positions.original(rendered.text.index("8080") + 2) == text.index("${PORT}")
    assert rendered.positions.original(rendered.text.index("${UNSET}")) == text.index("${UNSET}")
    assert [rendered.text[a:b] for a, b in rendered.substituted] == ["8080", "example.com"]
    multi = "server {\n  listen ${PORT};\n  server_name $HOST;\n  root /srv;\n}\n"
    rendered = render_envsubst(multi, {"PORT": "8080", "HOST": "example.com"})
    assert rendered.template_position(4, 3, multi) == (4, 3)
    assert rendered.template_position(3, 15, multi) == (3, 15)  # inside the value: the reference
    assert rendered.template_position(2, 14, multi) == (2, 17)  # the ";" after the shorter value


@pytest.mark.skipif(shutil.which("envsubst") is None, reason="GNU envsubst is not installed")
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(["$", "{", "}", "A", "B", "AB", "a", "_", "1", "-", ":", " ", "\n", "$A", "${A}",
                                 "${B}", "${AB}", "$AB", "${A:-x}", "$$", "\\"]), max_size=30))
def test_render_agrees_with_gnu_envsubst(pieces):
    text = "".join(pieces)
    env = {"A": "x1", "AB": "", "C": "long value"}
    names = defined_names(env)
    shell_format = " ".join("${%s}" % name for name in sorted(names))
    real = subprocess.run(["envsubst", shell_format], input=text.encode(), capture_output=True,
                          env={"PATH": "/usr/bin:/bin", **env}, check=True).stdout.decode()
    assert render_envsubst(text, env, names).text == real


def test_the_image_filter_and_directories():
    env = {"NGINX_ENVSUBST_FILTER": "^NGINX_", "NGINX_HOST": "a", "PORT": "1"}
    assert defined_names(env) == {"NGINX_ENVSUBST_FILTER", "NGINX_HOST"}
    assert defined_names({"X": "1"}) == {"X"}
    image = ImageTemplates.from_env({})
    assert image.outputs_for("/etc/nginx/templates/default.conf.template") == ["/etc/nginx/conf.d/default.conf"]
    assert image.outputs_for("/etc/nginx/templates/sub/a.conf.template") == ["/etc/nginx/conf.d/sub/a.conf"]
    assert image.outputs_for("/etc/nginx/templates/tcp.stream-template") == ["/etc/nginx/stream-conf.d/tcp"]
    assert image.outputs_for("/etc/nginx/conf.d/default.conf") == []
    custom = ImageTemplates.from_env({"NGINX_ENVSUBST_TEMPLATE_DIR": "/t", "NGINX_ENVSUBST_TEMPLATE_SUFFIX": ".tpl",
                                      "NGINX_ENVSUBST_OUTPUT_DIR": "/out"})
    assert custom.outputs_for("/t/x.conf.tpl") == ["/out/x.conf"]


# --- any text ---

TEMPLATE_PIECES = st.sampled_from([
    "{{", "}}", "{{-", "-}}", "{%", "%}", "{#", "#}", "<%", "<%=", "%>", "-%>", "{*", "*}", "{-raw-}", "$(", ")",
    "${{", "${", "}", "$", "\n", "\n> if x then\n", "\n> else\n", "\n> end\n", " if ", " else ", " end ", "endif",
    " for x in y ", " do ", "{", ";", '"', "'", "\\", "`", "/*", "*/", ".Values.x", "server", " ", "\t", "é",
    "A_B", "x",
])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(TEMPLATE_PIECES, max_size=60), st.sampled_from(sorted(LANGUAGES)))
def test_mask_keeps_length_and_newlines_of_any_text(pieces, language):
    text = "".join(pieces)
    masked = mask(text, language)
    assert_shape_kept(text, masked.text)
    previous_end = 0
    for region in masked.regions:
        assert previous_end <= region.start < region.end <= len(text)
        previous_end = region.end
    unchanged = [i for i in range(len(text)) if not any(r.start <= i < r.end for r in masked.regions)]
    assert all(text[i] == masked.text[i] for i in unchanged)
    detect(text, "x.conf")  # never raises


def test_lapis_tags_with_a_filter_word_are_one_value_each():
    # Lapis writes its nginx.conf with Kong's `${{NAME}}`, and a filter word before the name
    text = ("events {}\nhttp {\n    upstream database {\n        postgres_server ${{pg POSTGRESQL_URL}};\n    }\n"
            "    server { listen ${{PORT}}; lua_code_cache ${{CODE_CACHE}}; }\n}\n")
    masked, found = masked_as(text, "nginx.conf", "kong")
    assert len(found["postgres_server"][0][2]) == 1 and is_unknown(found["postgres_server"][0][2][0])
    assert is_unknown(found["listen"][0][2][0])


def test_a_tag_among_the_arguments_of_a_directive_before_every_other_tag_is_found():
    text = "server_name\n    {% for n in names %}{{ n }} {% endfor %};\nlisten {{ port }};\nroot {{ root }};\n"
    masked = mask(text, "jinja")
    assert masked.tag_in_statement((1, 1, 1, 12))  # the first directive: every region comes after its start
    assert not mask("gzip on;\nlisten {{ port }};\n", "jinja").tag_in_statement((1, 1, 1, 5))


def test_naxsi_scores_in_its_rules_are_no_envsubst_references():
    text = ('MainRule "str:<" "msg:html open tag" "mz:ARGS|URL|BODY" "s:$XSS:8" id:1302;\n'
            'server { location / { CheckRule "$SQL >= 8" BLOCK; proxy_pass http://${BACKEND}; } }\n')
    tags = envsubst_tags(text)
    assert [text[tag.start:tag.end] for tag in tags] == ["${BACKEND}"]


def test_a_template_named_file_s_double_underscore_words_are_its_renderer_s_placeholders():
    text = "upstream app {\n    __UPSTREAM_IPS__\n}\nserver {\n    include __LISTENER_CONFIG__;\n    set $x __y__;\n}\n"
    assert named_placeholders(text, "site.conf.tpl") == {"__UPSTREAM_IPS__", "__LISTENER_CONFIG__"}
    assert named_placeholders(text, "site.conf") == frozenset()  # a config nginx reads as it stands
    words = named_placeholders(text, "site.conf.tpl")
    assert detect(text, "site.conf.tpl", placeholders=words) == "placeholders"
    masked = mask(text, "placeholders", placeholders=words)
    assert "__" not in masked.text.replace("__y__", "") and len(masked.text) == len(text)


def test_shell_command_substitutions_make_a_script_rendered_template():
    """A config a script renders with `eval printf`: `$(var host)` values and a `$(for …; do printf …; done)` that
    prints lines where directives go. A regex's `$(a|b)` is no command."""
    text = ("server {\n    listen [$(var cjdns_ipv6)]:5001;\n    location / {\n$(\nfor h in $(lookup hosts); do\n"
            "    printf '        allow %s;\\n' $(host=$h var ip)\ndone\n)\n        deny all;\n"
            "        proxy_set_header Host \\$host;\n    }\n}\n")
    assert detect(text, "nginx.conf") == "shell"
    masked = mask(text, "shell")
    assert "$(" not in masked.text and len(masked.text) == len(text)
    assert masked.hides_directives and masked.out_of_view() == [(4, 1)]
    directives = directives_at(masked.text)
    assert is_unknown(directives["listen"][0][2][0]) and directives["deny"][0][2] == ["all"]
    assert detect('location ~ "^/(api|web)$(/.*)?$" { return 204; }\n', "site.conf") is None
