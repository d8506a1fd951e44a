from __future__ import annotations

from lintkit import write_tree

from nginxlint.settings import Settings
from nginxlint.workspace import load_workspace


def test_walk_is_document_order_with_includes_spliced_in(tmp_path):
    """tree.walk() reads the list made while building: it must be the order of a walk of the tree itself."""
    write_tree(tmp_path, {
        "nginx.conf": "events {}\nhttp {\n  include conf.d/*.conf;\n  server {\n    listen 80;\n"
                      "    location / { if ($x) { return 404; } include inner.conf; }\n  }\n  gzip on;\n}\n",
        "conf.d/a.conf": "map $a $b { default 1; }\n",
        "conf.d/b.conf": "upstream u { server 127.0.0.1; }\n",
        "inner.conf": "location /x { return 200; }\nexpires 1d;\n",
    })
    (tree,) = load_workspace([tmp_path], Settings(), tmp_path).trees
    walked = list(tree.main.walk())
    assert list(tree.walk()) == walked
    assert [node.name for node in walked] == [
        "events", "http", "include", "map", "default", "upstream", "server", "server", "listen", "location", "if",
        "return", "include", "location", "return", "expires", "gzip"]


def test_a_site_in_conf_d_reads_its_includes_above_it_else_beside_it(tmp_path):
    """With no main config in view, a site in conf.d/ resolves its includes from the directory above (the stock
    nginx.conf's); one that directory lacks is read beside the site, whose directory may be the one installed."""
    write_tree(tmp_path, {
        "conf.d/site.conf": "server {\n  listen 80;\n  include cors.conf;\n  include access.conf;\n"
                            "  include snippets/*.conf;\n  location / { return 200; }\n}\n",
        "cors.conf": "add_header X-A 1;\n",
        "conf.d/access.conf": "allow 10.0.0.0/8;\n",
        "conf.d/snippets/gzip.conf": "gzip on;\n",
    })
    (tree,) = load_workspace([tmp_path], Settings(), tmp_path).trees
    assert sorted(tree.files) == ["conf.d/access.conf", "conf.d/site.conf", "conf.d/snippets/gzip.conf", "cors.conf"]
