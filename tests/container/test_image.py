"""The image a Dockerfile builds: where repository files land, ENV, command, base facts and installed modules."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lintkit import write_tree
from nginxlint.container.base_images import base_image, split_reference
from nginxlint.container.dockerfile_syntax import Unresolved, expand, parse_dockerfile
from nginxlint.container.dockerignore import DockerIgnore
from nginxlint.container.filesystem import ABSENT, Filesystem, Inline, Layer, Listing, Unknown
from nginxlint.container.dockerfile_build import read_image
from nginxlint.container.installs import run_effects
from nginxlint.container.rockspec import read_rockspec

pytest.importorskip("dockerfile")

OPENRESTY_APP = {
    "conf/nginx.conf": "events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n",
    "conf/conf.d/app.conf": "server { listen 8080; }\n",
    "conf/conf.d/.hidden.conf": "server {}\n",
    "lua/app/init.lua": "return {}\n",
    "lua/app/util.lua": "return {}\n",
    "app-1.0-1.rockspec": (
        'package = "app"\nversion = "1.0-1"\nsource = { url = "." }\n'
        'build = {\n  type = "builtin",\n  modules = {\n    ["app"] = "lua/app/init.lua",\n'
        '    ["app.util"] = "lua/app/util.lua",\n  },\n}\n'
    ),
    "Dockerfile": (
        "# syntax=docker/dockerfile:1\n"
        "ARG TAG=1.25.3.1-alpine-fat\n"
        "FROM openresty/openresty:${TAG}\n"
        "ENV APP_HOME=/srv/app \\\n"
        '    LUA_PATH="/srv/app/lua/?.lua;/srv/app/lua/?/init.lua;;"\n'
        "WORKDIR $APP_HOME\n"
        "COPY conf/nginx.conf /usr/local/openresty/nginx/conf/nginx.conf\n"
        "COPY --chown=nobody:nobody conf/conf.d/ /etc/nginx/conf.d/\n"
        "COPY lua lua\n"
        "COPY *.rockspec ./\n"
        "RUN luarocks install lua-resty-http 0.17.1 \\\n"
        "    # the JWT library too\n"
        " && luarocks install lua-resty-jwt \\\n"
        " && luarocks make app-1.0-1.rockspec\n"
        "RUN opm get knyar/nginx-lua-prometheus\n"
        "EXPOSE 8080\n"
        "USER nobody\n"
    ),
}


def build(tmp_path, files, dockerfile="Dockerfile", **kwargs):
    write_tree(tmp_path, files)
    return read_image(tmp_path / dockerfile, tmp_path, **kwargs)


# -- a realistic OpenResty image ---------------------------------------------------------------------------

@pytest.fixture
def app(tmp_path):
    return tmp_path, build(tmp_path, OPENRESTY_APP)


def test_copied_files_land_where_the_dockerfile_puts_them(app):
    root, image = app
    assert image.problems == []
    assert image.where("/usr/local/openresty/nginx/conf/nginx.conf") == root / "conf/nginx.conf"
    assert image.where("/etc/nginx/conf.d/app.conf") == root / "conf/conf.d/app.conf"  # the dir's contents
    assert image.where("/etc/nginx/conf.d/conf.d") is ABSENT
    assert image.where("/srv/app/lua/app/init.lua") == root / "lua/app/init.lua"  # WORKDIR-relative destination
    assert image.where("/srv/app/app-1.0-1.rockspec") == root / "app-1.0-1.rockspec"


def test_absent_only_where_nothing_could_put_a_file(app):
    _root, image = app
    # /srv is empty in the official images, and only the COPY put anything below it.
    assert image.where("/srv/app/lua/app/missing.lua") is ABSENT
    # conf.d holds the image's default.conf and what was copied; nothing else.
    assert image.where("/etc/nginx/conf.d/other.conf") is ABSENT
    assert isinstance(image.where("/etc/nginx/conf.d/default.conf"), Unknown)
    # The base image's own tree is out of sight, and so is what luarocks and opm installed.
    assert isinstance(image.where("/etc/ssl/certs/ca.pem"), Unknown)
    installed = image.where("/usr/local/openresty/luajit/share/lua/5.1/resty/http.lua")
    assert isinstance(installed, Unknown) and "luarocks" in installed.why
    assert "opm" in image.where("/usr/local/openresty/site/lualib/prometheus.lua").why


def test_include_glob_sees_copied_and_base_files(app):
    root, image = app
    listing = image.glob("/etc/nginx/conf.d/*.conf")
    assert listing.complete
    assert listing.names["/etc/nginx/conf.d/app.conf"] == root / "conf/conf.d/app.conf"
    assert "/etc/nginx/conf.d/default.conf" in listing.names
    assert "/etc/nginx/conf.d/.hidden.conf" not in listing.names  # `*` skips dot files, as glob(3) does
    assert image.glob("/etc/nginx/conf.d/*.main").names == {}


def test_env_facts_and_command(app):
    _root, image = app
    assert image.env["APP_HOME"] == "/srv/app"
    assert image.lua_path == "/srv/app/lua/?.lua;/srv/app/lua/?/init.lua;;"
    assert "/usr/local/openresty/lualib/?.so" in image.lua_cpath  # the -fat image's own ENV
    assert image.workdir == "/srv/app"
    assert image.user == "nobody"
    assert image.exposed == ("8080",)
    assert image.base.reference == "openresty/openresty:1.25.3.1-alpine-fat"
    assert (image.flavour, image.prefix, image.libc) == ("openresty", "/usr/local/openresty/nginx", "musl")
    assert image.conf_path == "/usr/local/openresty/nginx/conf/nginx.conf"
    assert image.stop_signal == "SIGQUIT"  # from the base image
    assert image.argv == ("/usr/local/openresty/bin/openresty", "-g", "daemon off;")


def test_installed_modules(app):
    _root, image = app
    installed = {entry.name: entry for entry in image.installed_modules}
    assert installed["lua-resty-http"].modules == ("resty.http", "resty.http_headers", "resty.http_connect")
    assert installed["lua-resty-http"].line == 11
    assert {"resty.jwt", "resty.jwt-validators", "resty.evp"} <= set(installed["lua-resty-jwt"].modules)
    assert installed["lua-resty-jwt"].line == 13  # the line of the continued RUN that names it
    assert installed["app-1.0-1.rockspec"].modules == ("app", "app.util")  # exactly the rockspec's build.modules
    assert installed["app-1.0-1.rockspec"].exact and installed["app-1.0-1.rockspec"].line == 14
    assert installed["nginx-lua-prometheus"].modules == ("prometheus", "prometheus_keys", "prometheus_resty_counter")
    modules = image.module_set()
    assert "resty.http" in modules and "app.util" in modules and "app.other" not in modules
    assert "Dockerfile:15" in modules.why("prometheus")


def test_a_downloaded_rockspec_installs_the_rock_its_file_names(tmp_path):
    image = build(tmp_path, {"Dockerfile": (
        "FROM openresty/openresty:alpine-fat\n"
        "WORKDIR /tmp/rocks\n"
        "RUN curl -LO https://luarocks.org/manifests/membphis/lua-resty-ipmatcher-0.6.1-0.rockspec \\\n"
        " && luarocks install lua-resty-ipmatcher-0.6.1-0.rockspec\n"
        "RUN wget https://example.org/lyaml-6.2.7-1.rockspec && luarocks install lyaml-6.2.7-1.rockspec\n"
    )})
    installed = {entry.name: entry for entry in image.installed_modules}
    assert installed["lua-resty-ipmatcher"].modules == ("resty.ipmatcher",)
    assert installed["lua-resty-ipmatcher"].line == 4  # the install, not the download
    assert "lyaml" in installed["lyaml"].modules and installed["lyaml"].line == 5


def test_path_map_longest_prefix_first(app):
    root, image = app
    paths = [path for path, _repo in image.path_map]
    assert paths == sorted(paths, key=len, reverse=True)
    assert dict(image.path_map)["/srv/app/lua"] == root / "lua"
    assert dict(image.path_map)["/etc/nginx/conf.d"] == root / "conf/conf.d"


# -- COPY semantics -------------------------------------------------------------------------------------------

def test_copy_forms(tmp_path):
    files = {
        "a.conf": "a", "b.conf": "b", "dir/x.lua": "x", "dir/sub/y.lua": "y", "odd name.txt": "o",
        "Dockerfile": (
            "FROM scratch\n"
            "COPY a.conf b.conf /multi/\n"  # several sources: into the directory
            "COPY a.conf /single/renamed.conf\n"  # one file, no slash: the file itself
            "COPY dir /tree\n"  # a directory: its contents
            "COPY dir/ /tree2/\n"
            'COPY ["odd name.txt", "/json/"]\n'  # JSON form
            "COPY ?.conf /glob/\n"
            "WORKDIR /work\n"
            "COPY a.conf .\n"
            "COPY a.conf sub/\n"
            "ADD dir/sub /added\n"  # ADD of a local directory works like COPY
        ),
    }
    image = build(tmp_path, files)
    where = image.where
    assert where("/multi/a.conf") == tmp_path / "a.conf" and where("/multi/b.conf") == tmp_path / "b.conf"
    assert where("/single/renamed.conf") == tmp_path / "a.conf"
    assert where("/tree/x.lua") == tmp_path / "dir/x.lua"
    assert where("/tree/sub/y.lua") == tmp_path / "dir/sub/y.lua"
    assert where("/tree/dir") is ABSENT  # the directory itself is not recreated
    assert where("/tree2/sub/y.lua") == tmp_path / "dir/sub/y.lua"
    assert where("/json/odd name.txt") == tmp_path / "odd name.txt"
    assert where("/glob/a.conf") == tmp_path / "a.conf" and where("/glob/b.conf") == tmp_path / "b.conf"
    assert where("/work/a.conf") == tmp_path / "a.conf"
    assert where("/work/sub/a.conf") == tmp_path / "a.conf"
    assert where("/added/y.lua") == tmp_path / "dir/sub/y.lua"
    assert where("/nothing/here") is ABSENT  # FROM scratch: nothing else is there
    assert image.stop_signal == "SIGTERM"


def test_copy_onto_a_known_directory_puts_the_file_inside(tmp_path):
    image = build(tmp_path, {"nginx.conf": "x", "site.conf": "y", "Dockerfile": (
        "FROM nginx:1.27-alpine\n"
        "COPY nginx.conf /etc/nginx\n"  # /etc/nginx is a directory in the nginx image
        "COPY site.conf /etc/nginx/conf.d/site.conf\n"
    )})
    assert image.where("/etc/nginx/nginx.conf") == tmp_path / "nginx.conf"
    assert image.where("/etc/nginx/conf.d/site.conf") == tmp_path / "site.conf"


def test_copy_to_an_unknown_destination_keeps_both_readings(tmp_path):
    image = build(tmp_path, {"app.conf": "x", "Dockerfile": "FROM debian\nCOPY app.conf /opt/conf\n"})
    assert image.where("/opt/conf") == tmp_path / "app.conf"
    assert image.where("/opt/conf/app.conf") == tmp_path / "app.conf"


def test_dockerignore_and_missing_sources(tmp_path):
    image = build(tmp_path, {
        "conf/a.conf": "a", "conf/secret.key": "k", "conf/keep.key": "k",
        ".dockerignore": "# keys stay out\n**/*.key\n!conf/keep.key\n",
        "Dockerfile": "FROM scratch\nCOPY conf /conf\nCOPY nothere.conf /x/\n",
    })
    assert image.where("/conf/a.conf") == tmp_path / "conf/a.conf"
    assert image.where("/conf/secret.key") is ABSENT
    assert image.where("/conf/keep.key") == tmp_path / "conf/keep.key"
    assert [(p.line, "nothere.conf" in p.message) for p in image.problems] == [(3, True)]


def test_add_url_archive_and_heredoc(tmp_path):
    image = build(tmp_path, {"bundle.tar.gz": "not really", "Dockerfile": (
        "FROM scratch\n"
        "ADD https://example.com/lib.tar.gz /opt/lib/\n"
        "ADD bundle.tar.gz /srv/\n"
        "COPY <<EOF /etc/app.conf\n"
        "server {}\n"
        "EOF\n"
        "COPY nothing/ /never/\n"
    )})
    assert "ADD https://example.com/lib.tar.gz" in image.where("/opt/lib/lib.tar.gz").why
    assert "unpacked" in image.where("/srv/anything").why
    inline = image.where("/etc/app.conf")
    assert isinstance(inline, Inline) and inline.text == "server {}\n" and inline.line == 4
    assert image.where("/never/x") is ABSENT


# -- stages ---------------------------------------------------------------------------------------------------

MULTI_STAGE = {
    "src/app.lua": "return 1\n",
    "conf/nginx.conf": "events {}\n",
    "Dockerfile": (
        "FROM alpine:3.20 AS build\n"
        "WORKDIR /build\n"
        "COPY src/ ./src/\n"
        "RUN echo built > /build/out.txt\n"
        "FROM build AS test\n"
        "COPY conf/nginx.conf /build/conf/\n"
        "FROM openresty/openresty:1.27.1.2-bookworm\n"
        "COPY --from=build /build/src /usr/local/openresty/site/lualib/\n"
        "COPY --from=test /build/conf/nginx.conf /usr/local/openresty/nginx/conf/nginx.conf\n"
        "COPY --from=build /build/out.txt /srv/out.txt\n"
        "COPY --from=nginx:alpine /etc/nginx/mime.types /srv/mime/\n"
        "COPY --from=0 /build/src/app.lua /srv/copied.lua\n"
        'STOPSIGNAL SIGTERM\nENTRYPOINT ["/usr/bin/openresty"]\nCMD ["-g", "daemon off;"]\n'
    ),
}


def test_multi_stage(tmp_path):
    image = build(tmp_path, MULTI_STAGE)
    assert [stage.name for stage in image.stages] == ["build", "test", None]
    assert image.stages[1].parent is image.stages[0]  # FROM build: a stage as base
    assert image.stages[1].where("/build/src/app.lua") == tmp_path / "src/app.lua"
    assert image.where("/usr/local/openresty/site/lualib/app.lua") == tmp_path / "src/app.lua"
    assert image.where("/usr/local/openresty/nginx/conf/nginx.conf") == tmp_path / "conf/nginx.conf"
    assert "echo" in image.where("/srv/out.txt").why or "redirection" in image.where("/srv/out.txt").why
    assert "image nginx:alpine" in image.where("/srv/mime/mime.types").why
    assert image.where("/srv/copied.lua") == tmp_path / "src/app.lua"
    assert image.base.reference == "openresty/openresty:1.27.1.2-bookworm" and image.libc == "glibc"
    assert image.stop_signal == "SIGTERM"  # its own STOPSIGNAL wins over the base's SIGQUIT
    assert image.argv == ("/usr/bin/openresty", "-g", "daemon off;")


def test_a_scratch_image_made_of_a_stage_whole_has_its_files_and_packages_not_its_settings(tmp_path):
    # ddev-webserver's squash: `FROM scratch` then `COPY --from=base / /`
    image = build(tmp_path, {"conf/nginx.conf": "events {}\n", "Dockerfile": (
        "FROM debian:trixie-slim AS base\nRUN apt-get update && apt-get install -y nginx\n"
        "COPY conf/ /etc/nginx/\nSTOPSIGNAL SIGQUIT\nCMD [\"/base.sh\"]\n"
        "FROM scratch AS final\nCOPY --from=base / /\nCMD [\"/start.sh\"]\n")})
    assert image.where("/etc/nginx/nginx.conf") == tmp_path / "conf/nginx.conf"
    assert image.base.reference == "debian:trixie-slim" and image.packages == (("apt", "nginx", 2),)
    assert image.argv == ("/start.sh",) and image.stop_signal != "SIGQUIT"
    from nginxlint.container.dockerfile import read_dockerfile

    build_ = read_dockerfile("Dockerfile", (tmp_path / "Dockerfile").read_text())
    assert build_.base.value == "debian:trixie-slim" and [c.dest for c in build_.copies] == ["/etc/nginx/"]
    assert build_.cmd.value == ("/start.sh",) and build_.stop_signal is None


def test_final_stage_base_follows_stage_names(tmp_path):
    image = build(tmp_path, {"Dockerfile": (
        "ARG BASE=openresty/openresty:alpine\nFROM ${BASE} AS runtime\nFROM runtime\nCMD nginx -g 'daemon off;'\n"
    )})
    assert image.base.reference == "openresty/openresty:alpine" and image.flavour == "openresty"
    assert image.argv == ("/bin/sh", "-c", "nginx -g 'daemon off;'")  # shell form
    target = build(tmp_path, {"Dockerfile": "FROM nginx:1.25 AS web\nFROM alpine AS other\n"}, target="web")
    assert target.flavour == "nginx" and target.prefix == "/etc/nginx" and target.stop_signal == "SIGQUIT"


def test_build_args_and_unresolved_arguments(tmp_path):
    files = {"a.conf": "a", "Dockerfile": (
        "ARG FLAVOUR\nFROM openresty/openresty:${FLAVOUR:-alpine}\nARG DEST\nCOPY a.conf ${DEST}/a.conf\n"
    )}
    unset = build(tmp_path, files)
    assert unset.base.reference is None  # nothing fixes FLAVOUR: the base is unknown, not `alpine`
    assert "DEST" in unset.where("/anything").why
    given = build(tmp_path, files, build_args={"FLAVOUR": "bookworm", "DEST": "/etc/nginx"})
    assert given.base.reference == "openresty/openresty:bookworm"
    assert given.where("/etc/nginx/a.conf") == tmp_path / "a.conf"


def test_run_script_and_packages_make_everything_unknown(tmp_path):
    image = build(tmp_path, {"Dockerfile": "FROM scratch\nRUN ./install.sh\n"})
    assert "./install.sh" in image.where("/etc/nginx/x.conf").why
    image = build(tmp_path, {"app/a.lua": "", "Dockerfile": (
        "FROM scratch\nCOPY app /srv/app\nRUN apt-get install -y lua-cjson\n")})
    assert "lua-cjson" in image.where("/usr/lib/x").why
    assert image.where("/srv/app/b.lua") is ABSENT  # packages install into system directories, never /srv
    assert image.packages == (("apt", "lua-cjson", 3),)


def test_unreadable_dockerfile_is_unknown_everywhere(tmp_path):
    image = build(tmp_path, {"Dockerfile": "FROM a\nRUN <<EOF\nnever closed\n"})
    assert image.stages == [] and "not a readable Dockerfile" in image.problems[0].message
    assert isinstance(image.where("/etc/nginx/nginx.conf"), Unknown)
    assert image.argv is None and image.stop_signal is None


# -- pieces ---------------------------------------------------------------------------------------------------

def test_parser_keeps_buildkit_lines_heredocs_and_escape():
    parsed = parse_dockerfile(
        "# escape=`\nFROM x\nCOPY a `\n     /b/\nRUN <<EOT\napk add curl\nEOT\nCMD [\"a\", \"b c\"]\n")
    assert parsed.escape == "`"
    copy, run, cmd = parsed.instructions[1:]
    assert (copy.cmd, copy.args, copy.line, copy.end_line) == ("COPY", ("a", "/b/"), 3, 4)
    assert run.heredocs == (("EOT", "apk add curl\n"),) and (run.line, run.end_line) == (5, 7)
    assert cmd.json and cmd.args == ("a", "b c")


@pytest.mark.parametrize("word, expected", [
    ("$A/x", "one/x"), ("${A}x", "onex"), ("${MISSING:-dflt}", "dflt"), ("${EMPTY:-dflt}", "dflt"),
    ("${EMPTY-dflt}", ""), ("${A:+set}", "set"), ("${MISSING:+set}", ""), ("'$A'", "$A"), ('"$A b"', "one b"),
    ("\\$A", "$A"), ("$MISSING", ""),
])
def test_expansion(word, expected):
    assert expand(word, {"A": "one", "EMPTY": "", "UNSET_ARG": None}) == expected


def test_expansion_of_an_argument_without_value():
    with pytest.raises(Unresolved):
        expand("/x/$UNSET_ARG", {"UNSET_ARG": None})


def test_run_effects():
    effects = run_effects(
        "cd /opt && git clone https://github.com/x/lua-resty-foo.git && curl -fsSL -o /tmp/a.tgz https://x/a.tgz"
        " && tar xzf /tmp/a.tgz -C /usr/local/lib && /usr/local/openresty/luajit/bin/luarocks --tree=/rocks"
        " install lua-resty-session 4.0.5 && sh -c 'opm get ledgetech/lua-resty-http' && apk add --no-cache"
        " curl && echo hi >> /etc/motd", "/", 7)
    written = {w.path: w.what for w in effects.written}
    assert written["/opt/lua-resty-foo"].startswith("git clone")
    assert written["/tmp/a.tgz"].startswith("curl") and "/usr/local/lib" in written and "/etc/motd" in written
    assert [(r.tool, r.name, r.tree) for r in effects.rocks] == [
        ("luarocks", "lua-resty-session", "/rocks"), ("opm", "lua-resty-http", None)]
    assert effects.packages == [("apk", "curl")] and effects.anywhere is None


def test_what_a_run_puts_in_place_by_name():
    effects = run_effects(
        "mkdir -p /etc/nginx/bots && curl -sLo /etc/nginx/bots/b.conf https://x/b.conf && wget -qO /etc/w.conf"
        " https://x/w && cp /tmp/a.conf /etc/nginx/conf.d/ && mv /etc/nginx/old.conf /tmp/ && git clone"
        " https://x/waf.git /etc/nginx/waf && tar xzf /tmp/t.tgz -C /opt/t && echo x | tee /etc/t.conf"
        " && echo y > /etc/r.conf && ls /etc/nginx/conf.d >&2 && echo z 2>&1", "/", 3)
    made = {w.path for w in effects.written if w.made}
    assert made == {"/etc/nginx/bots/b.conf", "/etc/w.conf", "/etc/nginx/conf.d", "/tmp", "/etc/nginx/waf",
                    "/opt/t", "/etc/t.conf", "/etc/r.conf"}
    assert {"/etc/nginx/bots", "/tmp/a.conf", "/etc/nginx/old.conf"} <= {w.path for w in effects.written} - made


def test_a_path_a_run_makes_is_there_until_a_later_rm_takes_it():
    fs = Filesystem(lambda path: ABSENT, lambda path: Listing({}, True), [
        Layer("/etc/nginx/waf", "unknown", why="written by git clone", made=True),
        Layer("/etc/nginx/bots", "unknown", why="written by mkdir")])
    assert fs.made_by_name("/etc/nginx/waf/rules.conf") and fs.made_by_name("/etc/nginx/waf")
    assert not fs.made_by_name("/etc/nginx/bots/b.conf") and not fs.made_by_name("/etc/nginx")
    fs.add(Layer("/etc/nginx", "removed", "waf"))
    assert not fs.made_by_name("/etc/nginx/waf/rules.conf")


def test_what_the_start_script_writes_by_name_is_there(tmp_path):
    image = build(tmp_path, {
        "Dockerfile": "FROM alpine:3.20\nENV OUT=/etc/nginx/out\nCOPY start.sh lib.sh /app/\nWORKDIR /app\n"
                      "ENTRYPOINT [\"tini\", \"--\", \"./start.sh\"]\n",
        "start.sh": "#!/bin/sh\n. ./lib.sh\nLOGS=${LOGS_DIR:-/var/log/app}\ncat > $OUT/a.conf <<EOF\n"
                    "echo nope > /etc/heredoc.conf\nEOF\necho x | tee ${LOGS}/b.log\n"
                    "cp /tmp/x.conf $CERTS/x.conf\nsed -i s/a/b/ $OUT/edited.conf\n"
                    "echo y > $FROM_NOWHERE/c.conf\nexec nginx\n",
        "lib.sh": "export CERTS=/etc/certs\n",
    })
    fs = image.stages[-1].fs
    assert fs.made_by_name("/etc/nginx/out/a.conf") and fs.made_by_name("/var/log/app/b.log")
    assert fs.made_by_name("/etc/certs/x.conf")
    assert not fs.made_by_name("/etc/heredoc.conf") and not fs.made_by_name("/etc/nginx/out/edited.conf")
    assert isinstance(fs.where("/app/start.sh"), Path)  # a file the image holds stays the repository's


def test_a_start_script_not_from_the_repository_is_not_read(tmp_path):
    image = build(tmp_path, {"Dockerfile": "FROM alpine:3.20\nCMD [\"/usr/bin/start.sh\"]\n"})
    assert not any(layer.made for layer in image.stages[-1].fs.layers)


def test_rockspec_modules():
    spec = read_rockspec('package = "lua-resty-x"\nbuild = { type = "make", install = { lua = {'
                         ' ["resty.x"] = "lib/resty/x.lua", ["resty.x.y"] = "lib/resty/x/y.lua" } } }\n')
    assert spec.exact and spec.modules == ("resty.x", "resty.x.y")
    guessed = read_rockspec('package = "lua-resty-bar"\nbuild = { type = "make" }\n')
    assert not guessed.exact and guessed.modules == ("resty.bar", "resty.bar.*")
    assert read_rockspec("package = ") is None


def test_dockerignore_rules():
    ignore = DockerIgnore.parse("node_modules\n*.md\n!README.md\ndocs/**/*.png\n/tmp\n")
    assert ignore.ignored("node_modules/x/y.js") and ignore.ignored("CHANGES.md")
    assert not ignore.ignored("README.md") and not ignore.ignored("sub/CHANGES.md")
    assert ignore.ignored("docs/a/b/c.png") and ignore.ignored("docs/c.png") and ignore.ignored("tmp/x")
    # everything left out, then directories taken back: what is below them is in the context again
    allow_list = DockerIgnore.parse("*\n!nginx\n!lualib\nnginx/secrets\n")
    assert not allow_list.ignored("nginx/conf.d/default.conf") and not allow_list.ignored("lualib/resty/x.lua")
    assert allow_list.ignored("README.md") and allow_list.ignored("nginx/secrets/key.pem")


@pytest.mark.parametrize("reference, flavour, libc, signal", [
    ("openresty/openresty:1.25.3.1-alpine", "openresty", "musl", "SIGQUIT"),
    ("docker.io/openresty/openresty:1.13.6.1-bionic", "openresty", "glibc", "SIGTERM"),
    ("openresty/openresty", "openresty", "glibc", "SIGQUIT"),
    ("nginx:1.25.3-alpine-slim", "nginx", "musl", "SIGQUIT"),
    ("library/nginx:1.18.0", "nginx", "glibc", None),  # rebuilt with SIGQUIT during its life: not known
    ("nginx:1.16", "nginx", "glibc", "SIGTERM"),
    ("nginxinc/nginx-unprivileged:stable", "nginx", "glibc", "SIGQUIT"),
    ("registry.example.com:5000/team/nginx-custom:1", "other", None, None),
])
def test_base_image_facts(reference, flavour, libc, signal):
    base = base_image(reference)
    assert (base.flavour, base.libc, base.stop_signal) == (flavour, libc, signal)


def test_an_image_built_on_a_distribution_runs_its_own_command(tmp_path):
    """A distribution's image sets no ENTRYPOINT: the CMD a Dockerfile gives is the whole command."""
    dockerfile = 'FROM debian:stretch-slim\nCMD ["/usr/bin/openresty", "-g", "daemon off;"]\n'
    image = build(tmp_path, {"Dockerfile": dockerfile})
    assert image.argv == ("/usr/bin/openresty", "-g", "daemon off;") and image.workdir == "/"
    assert base_image("registry.example.com/team/base:1").entrypoint is None  # another image's: not known


def test_split_reference():
    assert split_reference("ghcr.io/org/openresty:1.2@sha256:ab") == ("org/openresty", "1.2")
    assert split_reference("localhost:5000/nginx") == ("nginx", None)
    # a pull-through mirror keeps the mirrored registry in its path
    assert split_reference("registry.cern.ch/docker.io/library/nginx:1.27") == ("nginx", "1.27")


def test_parser_is_imported_only_when_a_dockerfile_is_read():
    code = ("import sys, nginxlint.container.image, nginxlint.container.files;"
            "print('dockerfile' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "False"


def test_rock_dependencies_come_along(tmp_path):
    fat = "FROM openresty/openresty:alpine-fat\n"
    image = build(tmp_path, {"Dockerfile": fat + "RUN luarocks install lua-resty-openidc\n"})
    installed = {entry.name: entry for entry in image.installed_modules}
    assert installed["lua-resty-openidc"].modules == ("resty.openidc",)
    assert installed["lua-resty-http"].required_by == "lua-resty-openidc"
    assert "lua-resty-openssl" in installed  # through lua-resty-session
    modules = image.module_set()
    assert "with its dependency lua-resty-jwt" in modules.why("resty.jwt")
    unknown = build(tmp_path, {"Dockerfile": fat + "RUN luarocks install lua-resty-foo\n"})
    (entry,) = unknown.installed_modules
    assert entry.modules == ("resty.foo", "resty.foo.*") and not entry.exact  # from the name, not every require


def test_copy_exclude_and_parents(tmp_path):
    image = build(tmp_path, {
        "lua/a.lua": "a", "lua/a_spec.lua": "t", "lua/sub/b.lua": "b", "conf/x/site.conf": "s",
        "Dockerfile": (
            "FROM scratch\n"
            "COPY --exclude=*_spec.lua lua /app/lua\n"
            "COPY --parents conf/x/site.conf /etc/\n"
        ),
    })
    assert image.where("/app/lua/a.lua") == tmp_path / "lua/a.lua"
    assert image.where("/app/lua/sub/b.lua") == tmp_path / "lua/sub/b.lua"
    assert image.where("/app/lua/a_spec.lua") is ABSENT
    assert image.where("/etc/conf/x/site.conf") == tmp_path / "conf/x/site.conf"
    assert image.where("/etc/site.conf") is ABSENT


def test_without_the_parser_the_image_is_unknown(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dockerfile", None)  # as on a platform without a wheel
    image = build(tmp_path, OPENRESTY_APP)
    assert image.stages == [] and "not installed" in image.problems[0].message
    assert isinstance(image.where("/srv/app/lua/app/missing.lua"), Unknown)
    assert image.glob("/etc/nginx/conf.d/*.conf").complete is False


def test_a_trailing_continuation_is_no_instruction():
    parsed = parse_dockerfile("FROM x\nCMD [\"nginx\"]\n\\\n")
    assert [instruction.cmd for instruction in parsed.instructions] == ["FROM", "CMD"]


def test_rm_takes_files_out(tmp_path):
    image = build(tmp_path, {"site.conf": "server {}\n", "lua/a.lua": "", "Dockerfile": (
        "FROM nginx:1.27-alpine\n"
        "RUN rm /etc/nginx/conf.d/default.conf && chmod -R 755 /etc/nginx\n"
        "COPY site.conf /etc/nginx/conf.d/\n"
        "COPY lua /srv/lua\n"
        "RUN rm -rf /srv/lua/*\n"
    )})
    assert image.where("/etc/nginx/conf.d/default.conf") is ABSENT
    listing = image.glob("/etc/nginx/conf.d/*.conf")
    assert listing.complete and list(listing.names) == ["/etc/nginx/conf.d/site.conf"]
    assert image.where("/srv/lua/a.lua") is ABSENT
    assert image.listdir("/srv/lua").names == {} and image.listdir("/srv/lua").complete
    effects = run_effects("rm -f /a/b.conf x/*.lua", "/w", 1)
    assert effects.removed == [("/a", "b.conf"), ("/w/x", "*.lua")] and effects.written == []


def test_symbolic_links_of_a_run():
    effects = run_effects("cd /var/log/nginx && ln -sf /dev/stdout app.log && ln -s -f /dev/stderr /x/err.log"
                          " && ln --symbolic /data /srv/data && ln /a /b && ln -s /a /b /dir && ln -s /c /dir/"
                          " && ln -s -t /dir /d", "/", 1)
    assert effects.links == [("/var/log/nginx/app.log", "/dev/stdout"), ("/x/err.log", "/dev/stderr"),
                             ("/srv/data", "/data")]


def test_links_of_the_final_stage(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM nginx:1.27 AS base\nRUN ln -sf /dev/stdout /var/log/a.log\n"
                                         "FROM base\nRUN ln -sf /dev/stderr /var/log/b.log\n"
                                         "FROM nginx:1.27 AS other\nRUN ln -sf /dev/stdout /var/log/c.log\n"
                                         "FROM base\n")
    assert read_image(tmp_path / "Dockerfile", tmp_path).links == {"/var/log/a.log": "/dev/stdout"}


def test_a_symbolic_link_places_the_repository_file_at_the_link(tmp_path):
    image = build(tmp_path, {
        "conf/sites/app.conf": "server {}\n",
        "conf/sites/api.conf": "server {}\n",
        "Dockerfile": (
            "FROM nginx:1.27\n"
            "COPY conf/sites/ /etc/nginx/sites-available/\n"
            "WORKDIR /etc/nginx/sites-enabled\n"
            "RUN ln -s /etc/nginx/sites-available/app.conf /etc/nginx/sites-enabled/10_app.conf; \\\n"
            "    ln -sf ../sites-available/api.conf api.conf && ln -s /nowhere/x.conf x.conf\n"
        ),
    })
    assert image.where("/etc/nginx/sites-enabled/10_app.conf") == tmp_path / "conf/sites/app.conf"
    assert image.where("/etc/nginx/sites-enabled/api.conf") == tmp_path / "conf/sites/api.conf"
    assert isinstance(image.where("/etc/nginx/sites-enabled/x.conf"), Unknown)  # a link to what is out of sight
    assert set(image.glob("/etc/nginx/sites-enabled/*").names) >= {
        "/etc/nginx/sites-enabled/10_app.conf", "/etc/nginx/sites-enabled/api.conf"}
