"""A container's files: the image with Compose or Kubernetes mounts over it."""
from __future__ import annotations

import pytest

from lintkit import write_tree
from nginxlint.container.files import (
    compose_builds,
    compose_files,
    helm_configmaps,
    kubernetes_files,
    kustomize_configmaps,
)
from nginxlint.container.filesystem import ABSENT, Inline, Unknown
from nginxlint.container.compose import load_compose
from nginxlint.container.kubernetes import load_kubernetes

pytest.importorskip("dockerfile")

COMPOSE_PROJECT = {
    "docker/Dockerfile": (
        "FROM openresty/openresty:1.25.3.1-bookworm\n"
        "ARG CONF=conf\n"
        "COPY ${CONF}/nginx.conf /usr/local/openresty/nginx/conf/nginx.conf\n"
        "COPY lua/ /usr/local/openresty/site/lualib/app/\n"
    ),
    "docker/conf/nginx.conf": "events {}\n",
    "docker/prod/nginx.conf": "events { worker_connections 4096; }\n",
    "docker/lua/handler.lua": "return {}\n",
    "deploy/sites/app.conf": "server {}\n",
    "deploy/lua/override.lua": "return {}\n",
    "deploy/mime.types": "types {}\n",
    "deploy/compose.yaml": (
        "services:\n"
        "  web:\n"
        "    build:\n"
        "      context: ../docker\n"
        "      args:\n"
        "        CONF: prod\n"
        "    volumes:\n"
        "      - ./sites:/etc/nginx/conf.d:ro\n"
        "      - type: bind\n"
        "        source: ./lua/override.lua\n"
        "        target: /usr/local/openresty/site/lualib/app/handler.lua\n"
        "      - cache:/var/cache/nginx\n"
        "      - /var/log/app:/usr/local/openresty/nginx/logs\n"
        "      - ./not-there:/srv/empty\n"
        "    configs:\n"
        "      - source: mime\n"
        "        target: /usr/local/openresty/nginx/conf/mime.types\n"
        "  plain:\n"
        "    build: ../docker\n"
        "configs:\n"
        "  mime:\n"
        "    file: ./mime.types\n"
        "volumes:\n"
        "  cache: {}\n"
    ),
}


@pytest.fixture
def compose(tmp_path):
    write_tree(tmp_path, COMPOSE_PROJECT)
    path = tmp_path / "deploy/compose.yaml"
    text = path.read_text()
    services = {service.name: service for service in load_compose(str(path), text).services}
    return tmp_path, path, services, compose_builds(path, text)


def test_compose_build_forms(compose):
    root, _path, _services, builds = compose
    web, plain = builds["web"], builds["plain"]
    assert (web.context, web.dockerfile) == (root / "docker", root / "docker/Dockerfile")
    assert web.args == {"CONF": "prod"}
    assert plain.context.resolve() == root / "docker" and plain.args == {}
    # The build argument chooses which file is copied.
    conf = "/usr/local/openresty/nginx/conf/nginx.conf"
    assert web.image().where(conf) == root / "docker/prod/nginx.conf"
    assert plain.image().where(conf) == root / "docker/conf/nginx.conf"


def test_compose_mounts_over_the_image(compose):
    root, path, services, builds = compose
    files = compose_files(services["web"], path, root, builds["web"].image())
    # A bind-mounted directory replaces conf.d: the image's default.conf is hidden.
    assert files.where("/etc/nginx/conf.d/app.conf") == root / "deploy/sites/app.conf"
    assert files.where("/etc/nginx/conf.d/default.conf") is ABSENT
    assert files.glob("/etc/nginx/conf.d/*.conf").complete
    # A file mount over a file the image copied wins; the rest of the copied directory stays.
    assert files.where("/usr/local/openresty/site/lualib/app/handler.lua") == root / "deploy/lua/override.lua"
    assert "base image" in files.where("/usr/local/openresty/site/lualib/app/other.lua").why
    assert files.where("/usr/local/openresty/nginx/conf/mime.types") == root / "deploy/mime.types"  # a config
    assert "cache" in files.where("/var/cache/nginx/proxy/1").why  # a named volume
    assert "outside the repository" in files.where("/usr/local/openresty/nginx/logs/error.log").why
    # a source the repository does not hold is made before the container starts (a setup script): out of view
    assert "not in the repository" in files.where("/srv/empty/x").why
    mapped = dict(files.path_map)
    assert mapped["/etc/nginx/conf.d"] == root / "deploy/sites"
    assert mapped["/usr/local/openresty/site/lualib/app"] == root / "docker/lua"
    assert "/usr/local/openresty/nginx/conf/nginx.conf" in mapped


def test_compose_without_build_uses_the_image_reference(tmp_path):
    write_tree(tmp_path, {"compose.yaml": (
        "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./templates:/etc/nginx/templates\n"
    ), "templates/default.conf.template": "server { listen ${PORT}; }\n"})
    path = tmp_path / "compose.yaml"
    service = load_compose(str(path), path.read_text()).services[0]
    files = compose_files(service, path, tmp_path)
    assert files.base.flavour == "nginx"
    # The nginx image's entrypoint renders the templates into conf.d at start: its content is not knowable.
    assert "templates" in files.where("/etc/nginx/conf.d/default.conf").why
    assert not files.glob("/etc/nginx/conf.d/*.conf").complete
    assert files.where("/etc/nginx/templates/default.conf.template").resolve() == \
        tmp_path / "templates/default.conf.template"


def test_what_nothing_names_outweighs_what_names_say(tmp_path):
    """A module at a default location: packages and rocks installed by name say what they hold; a build script
    copied from another stage does not, even under a newer package install."""
    write_tree(tmp_path, {"Dockerfile": (
        "FROM alpine:3.20 AS builder\n"
        "RUN make install\n"
        "FROM openresty/openresty:1.25.3.2-alpine-fat\n"
        "RUN luarocks install lua-resty-http\n"
        "COPY --from=builder /usr/local/share/lua /usr/local/share/lua\n"
        "RUN apk add --no-cache curl\n"
    ), "named/Dockerfile": (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get install -y openresty\n"
        "RUN luarocks install lua-resty-http\n"
    )})
    from nginxlint.container.dockerfile_build import read_image

    built = read_image(tmp_path / "Dockerfile")
    found = built.where("/usr/local/share/lua/5.1/exporter.lua")
    assert isinstance(found, Unknown) and not found.named and "make install" in found.why
    assert built.where("/usr/local/openresty/lualib/exporter.lua").named  # the official image's own files
    named = read_image(tmp_path / "named/Dockerfile")
    assert named.where("/usr/local/share/lua/5.1/exporter.lua").named  # a rock, packages, a distribution image
    assert not read_image(tmp_path / "Dockerfile", target="builder").where("/usr/local/x.lua").named


def test_the_directory_nginx_starts_in(tmp_path):
    write_tree(tmp_path, {
        "app/Dockerfile": "FROM openresty/openresty:1.25.3.2-bookworm\nWORKDIR /app\nCOPY start.sh /start.sh\n"
                          "CMD [\"/start.sh\"]\n",
        "app/start.sh": "#!/bin/sh\nexec openresty -p /app/ -g 'daemon off;'\n",
        "moves/Dockerfile": "FROM openresty/openresty:1.25.3.2-bookworm\nWORKDIR /app\nCOPY start.sh /start.sh\n"
                            "CMD [\"/start.sh\"]\n",
        "moves/start.sh": "#!/bin/sh\ncd /srv\nexec openresty -g 'daemon off;'\n",
        "custom/Dockerfile": "FROM registry.example.com/team/base:1\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
        "compose.yaml": "services:\n  web:\n    image: openresty/openresty:1.25.3.2-bookworm\n"
                        "    working_dir: /srv/site\n  plain:\n    image: nginx:1.27\n",
    })
    from nginxlint.container.dockerfile_build import read_image
    from nginxlint.container.files import ContainerFiles

    def start(directory):
        image = read_image(tmp_path / directory / "Dockerfile")
        return ContainerFiles(image.filesystem, image, image.base, []).start_directory()

    assert start("app") == "/app"
    assert start("moves") is None  # the script changes directory before it starts nginx
    assert start("custom") is None  # a base image's own WORKDIR is out of sight
    path = tmp_path / "compose.yaml"
    services = {s.name: s for s in load_compose(str(path), path.read_text()).services}
    assert compose_files(services["web"], path, tmp_path).start_directory() == "/srv/site"
    assert compose_files(services["plain"], path, tmp_path).start_directory() == "/"


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
spec:
  template:
    spec:
      containers:
        - name: openresty
          image: openresty/openresty:1.25.3.1-alpine
          volumeMounts:
            - name: conf
              mountPath: /etc/nginx/conf.d
            - name: main
              mountPath: /usr/local/openresty/nginx/conf/nginx.conf
              subPath: nginx.conf
            - name: lua
              mountPath: /usr/local/openresty/site/lualib/app
            - name: certs
              mountPath: /etc/nginx/certs
            - name: cache
              mountPath: /var/cache/nginx
            - name: host
              mountPath: /srv/host
            - name: generated
              mountPath: /etc/nginx/snippets
      volumes:
        - name: conf
          configMap:
            name: gateway-conf
            items:
              - key: site
                path: site.conf
        - name: main
          configMap:
            name: gateway-conf
        - name: lua
          configMap:
            name: gateway-lua
        - name: certs
          secret:
            secretName: tls
        - name: cache
          emptyDir: {}
        - name: host
          hostPath:
            path: /data/host
        - name: generated
          configMap:
            name: snippets
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: gateway-conf
data:
  nginx.conf: |
    events {}
  site: |
    server { listen 8080; }
"""


@pytest.fixture
def kubernetes(tmp_path):
    write_tree(tmp_path, {
        "k8s/deployment.yaml": DEPLOYMENT,
        "k8s/kustomization.yaml": (
            "resources: [deployment.yaml]\n"
            "configMapGenerator:\n"
            "  - name: gateway-lua\n"
            "    files:\n"
            "      - lua/handler.lua\n"
            "      - util.lua=lua/helpers.lua\n"
            "    literals:\n"
            "      - MODE=production\n"
        ),
        "k8s/lua/handler.lua": "return {}\n",
        "k8s/lua/helpers.lua": "return {}\n",
    })
    path = tmp_path / "k8s/deployment.yaml"
    doc = load_kubernetes(str(path), path.read_text())
    workload = doc.workloads[0]
    return tmp_path, workload, workload.containers[0], doc.configmaps


def test_configmap_mounts_from_manifests(kubernetes):
    root, workload, container, configmaps = kubernetes
    files = kubernetes_files(workload, container, configmaps, root)
    site = files.where("/etc/nginx/conf.d/site.conf")
    assert site.key == "site" and "listen 8080" in site.text  # the manifest's embedded entry
    assert files.where("/etc/nginx/conf.d/default.conf") is ABSENT  # hidden by the ConfigMap volume
    assert files.where("/etc/nginx/conf.d/site") is ABSENT  # `items` renamed the key
    assert files.glob("/etc/nginx/conf.d/*.conf").complete
    main = files.where("/usr/local/openresty/nginx/conf/nginx.conf")  # subPath: one key as one file
    assert main.key == "nginx.conf"
    assert isinstance(files.where("/usr/local/openresty/nginx/conf/mime.types"), Unknown)  # the image's
    assert "ConfigMap gateway-lua" in files.where("/usr/local/openresty/site/lualib/app/handler.lua").why
    assert "Secret" in files.where("/etc/nginx/certs/tls.crt").why
    assert "emptyDir" in files.where("/var/cache/nginx/x").why
    assert "/data/host" in files.where("/srv/host/file").why
    assert files.base.flavour == "openresty" and files.base.libc == "musl"


def test_kustomize_generated_configmaps(kubernetes):
    root, workload, container, configmaps = kubernetes
    generated = kustomize_configmaps(root / "k8s/kustomization.yaml")
    assert generated["gateway-lua"]["handler.lua"] == root / "k8s/lua/handler.lua"
    assert generated["gateway-lua"]["util.lua"] == root / "k8s/lua/helpers.lua"
    literal = generated["gateway-lua"]["MODE"]
    assert isinstance(literal, Inline) and literal.text == "production" and literal.line == 8
    files = kubernetes_files(workload, container, configmaps, root, generated=generated)
    assert files.where("/usr/local/openresty/site/lualib/app/handler.lua") == root / "k8s/lua/handler.lua"
    assert files.where("/usr/local/openresty/site/lualib/app/util.lua") == root / "k8s/lua/helpers.lua"
    assert files.where("/usr/local/openresty/site/lualib/app/missing.lua") is ABSENT
    assert dict(files.path_map)["/usr/local/openresty/site/lualib/app/util.lua"] == root / "k8s/lua/helpers.lua"


def test_helm_files_get(tmp_path):
    write_tree(tmp_path, {
        "chart/templates/configmap.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"gw.fullname\" . }}-snippets\n"
            "data:\n  gzip.conf: |-\n{{ .Files.Get \"files/gzip.conf\" | indent 4 }}\n"
            "{{ (.Files.Glob \"files/lua/*.lua\").AsConfig | indent 2 }}\n"
        ),
        "chart/files/gzip.conf": "gzip on;\n",
        "chart/files/lua/a.lua": "return 1\n",
    })
    (configmap,) = helm_configmaps(tmp_path / "chart")
    assert configmap.files == {"gzip.conf": tmp_path / "chart/files/gzip.conf",
                               "a.lua": tmp_path / "chart/files/lua/a.lua"}
    assert configmap.matches("release-gw-snippets") and not configmap.matches("release-gw-other")


def test_helm_configmap_mounted(kubernetes):
    root, workload, container, configmaps = kubernetes
    write_tree(root, {"chart/files/gzip.conf": "gzip on;\n", "chart/templates/cm.yaml": (
        "kind: ConfigMap\nmetadata:\n  name: snippets\n"
        "data:\n  gzip.conf: {{ .Files.Get \"files/gzip.conf\" | quote }}\n"
    )})
    (configmap,) = helm_configmaps(root / "chart")
    files = kubernetes_files(workload, container, configmaps, root, generated={"snippets": configmap.files})
    assert files.where("/etc/nginx/snippets/gzip.conf") == root / "chart/files/gzip.conf"
    assert files.where("/etc/nginx/snippets/other.conf") is ABSENT


def test_manifest_values_over_the_image(compose, kubernetes):
    root, path, services, builds = compose
    files = compose_files(services["web"], path, root, builds["web"].image())
    assert files.argv == ("/usr/bin/openresty", "-g", "daemon off;")  # the bookworm image's CMD
    assert files.stop_signal == "SIGQUIT" and files.lua_path is None
    write_tree(root, {"other.yaml": (
        "services:\n  web:\n    image: openresty/openresty:alpine-fat\n    stop_signal: SIGTERM\n"
        "    entrypoint: [openresty]\n    environment:\n      LUA_PATH: /app/?.lua;;\n"
    )})
    other = root / "other.yaml"
    files = compose_files(load_compose(str(other), other.read_text()).services[0], other, root)
    assert files.argv == ("openresty",)  # a new entrypoint drops the image's CMD
    assert files.stop_signal == "SIGTERM" and files.lua_path == "/app/?.lua;;"
    assert "/usr/local/openresty/lualib/?.so" in files.lua_cpath  # the -fat image's own ENV
    root, workload, container, configmaps = kubernetes
    files = kubernetes_files(workload, container, configmaps, root)
    assert files.argv == ("/usr/local/openresty/bin/openresty", "-g", "daemon off;")


def test_workdir_is_a_directory_not_absent(tmp_path):
    from nginxlint.container.dockerfile_build import read_image

    write_tree(tmp_path, {"Dockerfile": "FROM openresty/openresty:alpine\nWORKDIR /srv/app\n"})
    image = read_image(tmp_path / "Dockerfile")
    assert isinstance(image.where("/srv/app"), Unknown)
    assert image.where("/srv/app/x.lua") is ABSENT
    assert "app" in image.listdir("/srv").names


def test_helm_keys_come_only_from_data(tmp_path):
    write_tree(tmp_path, {"chart/templates/cm.yaml": (
        "kind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    note: {{ .Files.Get \"files/label.txt\" }}\n"
        "data:\n  a.conf: |\n{{ .Files.Get \"files/a.conf\" | indent 4 }}\n  b.conf: plain\n"
        "{{ .Files.Get \"files/stray.conf\" | indent 2 }}\n"
    )})
    (configmap,) = helm_configmaps(tmp_path / "chart")
    assert configmap.files == {"a.conf": tmp_path / "chart/files/a.conf"}


def test_a_deeper_mount_shows_through_a_shallower_one(tmp_path):
    write_tree(tmp_path, {
        "compose.yaml": (
            "services:\n  web:\n    image: nginx:1.27\n    volumes:\n"
            "      - ./sites:/etc/nginx/conf.d\n      - ./nginx:/etc/nginx\n"
        ),
        "nginx/nginx.conf": "events {}\n", "sites/a.conf": "server {}\n",
    })
    path = tmp_path / "compose.yaml"
    files = compose_files(load_compose(str(path), path.read_text()).services[0], path, tmp_path)
    assert files.where("/etc/nginx/conf.d/a.conf") == tmp_path / "sites/a.conf"
    assert files.where("/etc/nginx/nginx.conf") == tmp_path / "nginx/nginx.conf"
    assert files.where("/etc/nginx/mime.types") is ABSENT  # the bind mount hides the image's /etc/nginx
