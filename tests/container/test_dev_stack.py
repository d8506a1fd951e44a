"""What makes a Compose stack a developer's (container/dev_stack.py), and an image a test run's
(container/dockerfile_binding.runs_tests)."""
from __future__ import annotations

import pytest

from lintkit import write_tree
from nginxlint.container.compose import load_compose
from nginxlint.container.dev_stack import developer_stack, says_not_for_production
from nginxlint.container.dockerfile import read_dockerfile
from nginxlint.container.dockerfile_binding import dockerfile_facts, runs_tests


@pytest.mark.parametrize("sentence", [
    "This Docker Compose installation is only distributed for testing purposes and cannot be used in any\n"
    "production environment.",
    "This setup is for local development only.",
    "Do not use this stack in production.",
    "The compose stack is not intended for production.",
    "These containers are for demo purposes only!",
    "The app is for demo purpose only, so we are using a sqlite database.",
    "This project is not intended for production use.",
    "此 Docker Compose 環境僅供測試使用",
    "请勿在生产环境中使用此 docker compose 配置",
    "この Docker Compose 構成は本番環境では使用しないでください",
    "Este docker compose es solo para desarrollo.",
    "Dieses Docker-Compose-Setup ist nicht für den Produktivbetrieb gedacht.",
    "Ne pas utiliser en production : ce docker compose sert au développement.",
    "Note that this is a local development environment and is not intended to be exposed to the public "
    "internet or used in production as-is.",
    "The application is designed to be run in an AKS cluster, but can also be run locally using Docker Compose.",
    "The demo uses Docker compose, but the mechanics can be applied to any other deployment model.",
    "Distributed MinIO instances will be deployed in multiple containers. This is a great way to set up development, "
    "testing, and staging environments.",
])
def test_says_the_setup_is_not_for_production(sentence):
    assert says_not_for_production(sentence)


@pytest.mark.parametrize("sentence", [
    "A production-ready Docker Compose stack.",
    "Use docker-compose.prod.yml in production; this Compose setup is for development only.",
    "The default password is for testing only.",
    "The admin account of the app is for testing only.",
    "The latest tag should not be used in a production environment.",
    "The latest tag is not intended to be pinned or used in production.",
    "This Docker setup runs in production at example.com.",
    "默认密码仅供测试使用",
    "请勿在生产环境中使用 docker-compose.dev.yml",
    "To run it locally, start the Docker Compose stack.",
    "Try the demo at demo.example.com, or deploy your own with Docker Compose.",
    "Docker Compose is a great way to set up production environments.",
])
def test_other_sentences_say_nothing(sentence):
    assert not says_not_for_production(sentence)


def _stack(tmp_path, compose: str, files: dict | None = None, name: str = "docker-compose.yml") -> bool:
    write_tree(tmp_path, {name: compose, **(files or {})})
    return developer_stack(tmp_path / name, load_compose(name, compose).services)


@pytest.mark.parametrize("compose, files", [
    ('services:\n  app: {image: "php:8.3-fpm", volumes: [".:/var/www/html"]}\n', {"composer.json": "{}"}),
    ('services:\n  app: {image: "node:20", volumes: ["./web:/srv"]}\n', {"web/package.json": "{}"}),
    # the file that marks the sources, mounted beside them
    ('services:\n  ui: {build: ., volumes: ["./src:/app/src", "./package.json:/app/package.json"]}\n',
     {"src/index.js": "", "package.json": "{}"}),
    ("services:\n  mail: {image: 'axllent/mailpit:v1.20'}\n", {}),
    ("services:\n  mail: {image: rnwood/smtp4dev}\n", {}),
    # a load generator started after the proxy: a test rig, whatever restarts
    ("services:\n  nginx: {image: 'nginx:1.27', restart: always}\n"
     "  k6: {image: grafana/k6, depends_on: [nginx], entrypoint: [k6, run, /src/k6.js]}\n", {}),
    # the database restarts by itself; the services that show the developer's stack do not
    ("services:\n  db: {image: 'mariadb:10.6', restart: unless-stopped}\n  mail: {image: mailhog/mailhog}\n", {}),
    ("services:\n  app: {image: shop/app}\n",
     {"README.md": "# Shop\n\nThis Docker setup is for testing purposes only.\n"}),
    ("services:\n  app: {image: shop/app}\n",
     {"README.md": "# 商店\n\n- 使用 Docker Compose 一鍵啟動完整開發環境\n- 使用 Makefile 管理常用指令\n"}),
    ("services:\n  app: {image: shop/app}\n",
     {"README.md": "Docker compose is recommended in the development environment of the project.\n"}),
    # "This" of the second sentence is the setup the first names
    ("services:\n  app: {image: shop/app}\n",
     {"README.md": "This is the docker compose setup to run the shop with a mock payment system. This is not for "
                   "production use.\n"}),
    # a test script beside it brings the stack up, checks it and tears it down
    ("services:\n  minio1: {image: minio/minio}\n",
     {"resiliency-tests.sh": '#!/bin/bash\ndocker compose -f "${DOCKER_COMPOSE_FILE}" up -d\n'}),
    # certificates mkcert made, which only the developer's machine trusts
    ("services:\n  lb:\n    image: 'nginx:1.21'\n    restart: always\n"
     "    volumes: ['./certs/shop-st-web+10.pem:/etc/nginx/certs/app.pem:ro',"
     " './certs/shop-st-web+10-key.pem:/etc/nginx/certs/app-key.pem:ro']\n", {}),
    # the restart policy of a service that runs a development build keeps a developer's server up
    ("services:\n  mail: {image: sj26/mailcatcher}\n"
     "  api: {build: {context: ., target: backend-development}, restart: unless-stopped}\n"
     "  yjs: {image: 'shop:y-provider-development', restart: unless-stopped}\n", {}),
    # the Compose file's own opening comment says so
    ("##\n# BuildGrid deployment using Redis\n#\n#   \u00a1FOR LOCAL DEVELOPMENT/DEMONSTRATION ONLY!\n#\n"
     "services:\n  app: {image: shop/app, restart: always}\n", {}),
])
def test_developer_stacks(tmp_path, compose, files):
    assert _stack(tmp_path, compose, files)


@pytest.mark.parametrize("compose, files, name", [
    ('services:\n  web: {image: nginx, volumes: ["./dist:/usr/share/nginx/html", "./data:/data", "./nginx.conf:/n"]}\n',
     {"dist/index.html": "", "data/x": "", "nginx.conf": "", "package.json": "{}"}, "docker-compose.yml"),
    ('services:\n  app: {image: "php:8.3-fpm", restart: always, volumes: [".:/var/www/html"]}\n',
     {"composer.json": "{}"}, "docker-compose.yml"),
    ("services:\n  mail: {image: mailhog/mailhog, restart: unless-stopped}\n", {}, "docker-compose.yml"),
    ("services:\n  app: {image: shop/app}\n", {"README.md": "This Docker setup is for testing purposes only.\n"},
     "docker-compose.prod.yml"),
    ("services:\n  app: {image: shop/app}\n", {"docs/README.md": "This Docker setup is for testing purposes only.\n"},
     "docker-compose.yml"),
    ("services:\n  app: {image: shop/app}\n",
     {"README.md": "The shop's API is documented in api.md. This is not for production use.\n"}, "docker-compose.yml"),
    ("services:\n  app: {image: shop/app}\n",
     {"README.md": "## 開発環境\n\nDocker Compose で開発環境を起動します。\n\n## 本番環境\n\nKubernetes で動かします。\n"},
     "docker-compose.yml"),
    ("services:\n  app: {image: shop/app}\n",
     {"README.md": "Docker Compose starts the development environment. In production the shop runs on Kubernetes.\n"},
     "docker-compose.yml"),
    # a load generator that makes demo traffic for another service (SigNoz's Locust for HotROD)
    ("services:\n  frontend: {image: 'nginx:1.27'}\n  hotrod: {image: jaegertracing/example-hotrod}\n"
     "  load-hotrod: {image: 'grubykarol/locust:1.2.3', depends_on: [hotrod]}\n", {}, "docker-compose.yml"),
    # a script that is no test brings it up: a deployment's
    ("services:\n  app: {image: shop/app}\n", {"deploy.sh": "#!/bin/sh\ndocker compose up -d\n"}, "docker-compose.yml"),
    # a comment below the first key says nothing of the whole file
    ("services:\n  # for local development only: the debugger's port\n  app: {image: shop/app}\n", {},
     "docker-compose.yml"),
    # Bitnami's BITNAMI_DEBUG makes the image's entrypoint verbose; it switches no application's debugging on
    ("services:\n  search: {image: bitnami/elasticsearch, environment: {BITNAMI_DEBUG: 'true'}}\n", {},
     "docker-compose.yml"),
])
def test_deployed_stacks(tmp_path, compose, files, name):
    assert not _stack(tmp_path, compose, files, name)


@pytest.mark.parametrize("readme, developer", [
    ("# Shop\n\nThe Docker Compose setup is for local development only.\n", True),
    ("# Shop\n\nStart it with Docker Compose in development.\n", False),  # what only the README beside it says
    ("# Shop\n\nThe docker/docker-compose.yml file is for testing only.\n", False),  # of one file it names
    # the opening calls the whole project a demonstration: every stack in it is one
    ("# Lua body transformation\n\nThis project demonstrates how to use Nginx with Lua scripting.\n", True),
])
def test_the_repository_readme_above_the_compose_file_says_it_outright(tmp_path, readme, developer):
    (tmp_path / ".git").mkdir()
    assert _stack(tmp_path, "services:\n  app: {image: shop/app}\n", {"README.md": readme},
                  "docker/docker-compose.yml") is developer


@pytest.mark.parametrize("instruction, tests", [
    ("ENTRYPOINT ./ci.sh", True), ('CMD ["./run-tests.sh"]', True), ('CMD ["busted", "spec"]', True),
    ("CMD prove -r t", True), ('CMD ["npm", "test"]', True), ("CMD python -m pytest -x", True),
    ('CMD ["nginx", "-g", "daemon off;"]', False), ("CMD ./test.sh && nginx -g 'daemon off;'", False),
    ('CMD ["./start.sh"]', False), ('CMD ["node", "contest.js"]', False),
])
def test_an_image_that_runs_its_test_suite(instruction, tests):
    build = read_dockerfile("Dockerfile", f"FROM openresty/openresty:1.27.1.2-alpine\n{instruction}\n")
    assert runs_tests(dockerfile_facts(build)) is tests


@pytest.mark.parametrize("names, reported", [
    ("api-gateway.local", False),  # mapped to 127.0.0.1 in the developer's /etc/hosts
    ("shop.localhost localhost", False),
    ("local.shop.com", False),
    ("magento2.docker", False),  # a development kit's name, mapped in /etc/hosts
    ("monitoring-vhost.test", True),  # a production host's vhost for a monitoring check's requests
    ("shop.lvh.me", False),  # a public name that resolves to 127.0.0.1
    ("api.shop.com", True),
    ("api.shop.com api.local", True),  # one name the public resolves: deployed
    ("localhost", True),  # the stock default server's name says nothing
    ("api.local _", True),  # a catch-all server answers any name
])
def test_a_config_named_only_for_the_developers_machine_gets_no_production_advice(tmp_path, names, reported):
    from lintkit import run_cli

    write_tree(tmp_path, {
        "nginx/default.conf": f"server {{\n    listen 80;\n    server_name {names};\n"
                              "    location / { proxy_pass http://app:3000; }\n}\n",
        "docker-compose.yml": "services:\n  nginx:\n    image: nginx:1.27\n    restart: unless-stopped\n"
                              "    volumes: ['./nginx/default.conf:/etc/nginx/conf.d/default.conf']\n"
                              "    ports: ['80:80']\n  app:\n    image: node:22\n    restart: unless-stopped\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--exit-zero", "--select", "CTR112"], cwd=tmp_path)
    assert bool(result.json["findings"]) == reported


@pytest.mark.parametrize("handler, reported", [
    ("/mnt/hgfs/Linux-Share/app/api.lua", False),  # VMware's folder shared with the host: a developer's VM
    ("/vagrant/app/api.lua", False),
    ("/srv/app/api.lua", True),
])
def test_a_config_that_names_a_developers_vm_shared_folder_gets_no_production_advice(tmp_path, handler, reported):
    from lintkit import run_cli

    write_tree(tmp_path, {"conf/nginx.conf": "events {}\nhttp {\n    include domains/*.conf;\n}\n",
                          "conf/domains/api.conf": f"server {{\n    listen 80;\n    lua_code_cache off;\n"
                                                   f"    location /api {{ content_by_lua_file {handler}; }}\n}}\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli([".", "--format", "json", "--exit-zero", "--select", "LUA210"], cwd=tmp_path)
    assert bool(result.json["findings"]) == reported


@pytest.mark.parametrize("profiles, developer", [
    ("[testing]", True), ("[dev, debug]", True), ("[monitoring]", False), ("[testing, monitoring]", False), (None, False)])
def test_a_service_only_a_development_or_test_profile_starts(profiles, developer):
    """`docker compose --profile testing up` adds it for a test run; the deployed stack runs without it."""
    compose = "services:\n  proxy:\n    image: nginx:alpine\n" + (f"    profiles: {profiles}\n" if profiles else "")
    assert [facts.developer_stack for facts in load_compose("docker-compose.yml", compose).services] == [developer]


def test_the_services_of_a_development_profile_say_nothing_of_the_production_ones(tmp_path):
    """`profiles: [dev]` mounts the sources and runs the development server; `[prod]` beside it is deployed."""
    from nginxlint.container.manifests import _marked_developer_stack

    compose = ("services:\n  web: {image: 'nginx:1.27', profiles: [prod], restart: always}\n"
               "  frontend: {image: 'node:18', profiles: [dev], volumes: ['./frontend:/app'],"
               " command: npm run dev}\n")
    write_tree(tmp_path, {"docker-compose.yml": compose, "frontend/package.json": "{}"})
    services = load_compose("docker-compose.yml", compose).services
    marked = _marked_developer_stack(tmp_path / "docker-compose.yml", services)
    assert [(facts.name, facts.developer_stack) for facts in marked] == [("web", False), ("frontend", True)]
