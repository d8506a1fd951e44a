"""Which sites of Debian's layout nginx loads: sites-enabled/ holds links to (or copies of) sites-available/; a file
of the same name with other text is another version, the one nginx loads."""
from __future__ import annotations

import os

from lintkit import run_cli, write_tree
from nginxlint.nginx.conf_dirs import disabled_site


def test_a_site_is_switched_off_unless_sites_enabled_links_it_or_holds_its_name(tmp_path):
    available, enabled = tmp_path / "sites-available", tmp_path / "sites-enabled"
    available.mkdir(), enabled.mkdir()
    for name in ("linked.conf", "copied", "off.conf", "replaced"):
        (available / name).write_text("server { listen 80; }\n")
    os.symlink("../sites-available/linked.conf", enabled / "renamed")
    (enabled / "copied").write_text("server { listen 80; }\n")
    (enabled / "replaced").write_text("server { listen 443 ssl; }\n")  # another version of the site, the one loaded
    assert disabled_site(available / "off.conf") and disabled_site(available / "replaced")
    assert not disabled_site(available / "linked.conf") and not disabled_site(available / "copied")
    (tmp_path / "conf.d").mkdir()
    assert not disabled_site(tmp_path / "conf.d" / "off.conf")  # not Debian's layout
    lone = tmp_path / "other" / "sites-available"
    lone.mkdir(parents=True)
    assert not disabled_site(lone / "x.conf")  # no sites-enabled/ beside it: nothing says it is off


def test_a_switched_off_site_gets_no_advice_on_a_deployment(tmp_path):
    site = ("server { listen 80; server_name shop.widgets-corp.net;\n"
            "    location / { proxy_pass http://shop:8080; } }\n")
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  nginx:\n    image: nginx:1.27\n    restart: always\n"
                              "    volumes: ['./nginx:/etc/nginx:ro']\n  shop: {image: example/shop, restart: always}\n",
        "nginx/nginx.conf": "events {}\nhttp { include /etc/nginx/sites-enabled/*; }\n",
        "nginx/sites-available/shop.conf": site,
        "nginx/sites-enabled/other.conf": site.replace("shop", "blog"),
    })
    result = run_cli([".", "--format", "json", "--isolated", "--select", "CTR112"], cwd=tmp_path)
    assert {f["path"] for f in result.json["findings"]} == {"nginx/sites-enabled/other.conf"}
