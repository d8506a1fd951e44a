"""A config nothing of its repository deploys (no container bound to it, its name in no other file) gets no advice
for a deployed server, where the repository says how it is deployed (a Dockerfile or a Compose file)."""
from __future__ import annotations

import pytest
from lintkit import run_cli, write_tree

WEAK_SITE = "server {\n    listen 443 ssl;\n    ssl_protocols TLSv1 TLSv1.2;\n}\n"
IMAGE = {
    "Dockerfile": "FROM nginx:1.25\nCOPY deploy/site.conf /etc/nginx/conf.d/site.conf\n",
    "deploy/site.conf": "server {\n    listen 8080;\n    location / { root /srv; }\n}\n",
    "conf/legacy-site.conf": WEAK_SITE,
}


def lint(tmp_path, files, *args):
    write_tree(tmp_path, files)
    (tmp_path / ".git").mkdir(exist_ok=True)
    arguments = [*(args or ["."]), "--format", "json", "--exit-zero", "--select", "SEC521,NGX001"]
    return run_cli(arguments, cwd=tmp_path).json


def test_a_config_nothing_copies_mounts_or_names_gets_one_note_and_no_advice(tmp_path):
    report = lint(tmp_path, IMAGE)
    assert report["findings"] == []
    assert [(n["path"], n["level"]) for n in report["notifications"] if "no container is bound" in n["message"]] == [
        ("conf/legacy-site.conf", "note")]


def test_what_would_stop_nginx_is_still_said(tmp_path):
    report = lint(tmp_path, {**IMAGE, "conf/legacy-site.conf": WEAK_SITE + "}\n"})
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("NGX001", "conf/legacy-site.conf")]


@pytest.mark.parametrize("mention", [
    ("README.md", "Copy conf/legacy-site.conf to /etc/nginx/sites-enabled/ on the host.\n"),
    ("deploy.sh", "#!/bin/sh\ncp -r conf/ /etc/nginx/sites-enabled/\n"),
    ("deploy.sh", "#!/bin/sh\ncp conf/*.conf /etc/nginx/sites-enabled/\n"),
    ("docs/run.md", "docker run -v $PWD/conf:/etc/nginx/conf.d nginx\n"),
])
def test_a_config_a_script_or_document_names_is_deployed(tmp_path, mention):
    report = lint(tmp_path, {**IMAGE, mention[0]: mention[1]})
    assert [(f["code"], f["path"], f["line"]) for f in report["findings"]] == [
        ("SEC521", "conf/legacy-site.conf", 3)]


@pytest.mark.parametrize("mention", [
    ("debian/Dockerfile", "FROM debian\nCOPY conf/supervisor/nginx.conf /etc/supervisor/conf.d/\n"),  # another file
    ("setup.sh", "#!/bin/sh\nsed -i s/x/y/ /etc/nginx/sites-available/nginx-legacy-site.conf\n"),  # another name
    (".gitignore", "conf/*.conf\n"),  # what git leaves out
    ("README.md", "The conf directory holds what we used before.\n"),  # a word, not a path
])
def test_a_longer_path_another_name_or_an_ignore_file_names_no_config(tmp_path, mention):
    assert lint(tmp_path, {**IMAGE, mention[0]: mention[1]})["findings"] == []


def test_without_a_dockerfile_or_compose_file_every_config_is_taken_as_deployed(tmp_path):
    files = {name: text for name, text in IMAGE.items() if name != "Dockerfile"}
    report = lint(tmp_path, files)
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("SEC521", "conf/legacy-site.conf")]


def test_the_config_linted_alone_gets_the_same_answer(tmp_path):
    assert lint(tmp_path, IMAGE, "conf/legacy-site.conf")["findings"] == []


def test_a_config_a_dockerfile_copies_with_its_directory_is_deployed(tmp_path):
    """`COPY ./config/. /` puts it in the image, where a start script may link it into place (Debian's
    conf-available/ and conf-enabled/)."""
    files = {"Dockerfiles/Dockerfile": "FROM alpine:3.8\nRUN apk add nginx\nCOPY ./config/. /\n",
             "config/etc/nginx/nginx.conf": "events {}\nhttp {\n    include /etc/nginx/conf-enabled/*.conf;\n}\n",
             "config/etc/nginx/conf-available/site.conf": WEAK_SITE}
    assert [(f["code"], f["path"]) for f in lint(tmp_path, files)["findings"]] == [
        ("SEC521", "config/etc/nginx/conf-available/site.conf")]


def test_beside_images_elsewhere_a_config_is_left_behind_only_where_they_draw_from_its_directory(tmp_path):
    """An image built in docker/ takes other files of conf/ (its supervisord program), not the site: that site is
    left behind. A directory no image draws from may hold a host's config."""
    files = {"docker/Dockerfile": "FROM debian:bullseye\nRUN apt-get install -y nginx supervisor\n"
                                  "COPY conf/supervisor/nginx.ini /etc/supervisor/conf.d/nginx.conf\n",
             "conf/supervisor/nginx.ini": "[program:nginx]\ncommand=nginx -g 'daemon off;'\n",
             "conf/legacy-site.conf": WEAK_SITE, "cloud/site.conf": WEAK_SITE.replace("TLSv1 ", "TLSv1.1 ")}
    report = lint(tmp_path, files)
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("SEC521", "cloud/site.conf")]
    assert [n["path"] for n in report["notifications"] if "no container is bound" in n["message"]] == [
        "conf/legacy-site.conf"]
