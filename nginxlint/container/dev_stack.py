"""What shows a Compose stack to be a developer's, whatever its file is called. It is one when
- its services run with debugging switched on, or under a development server that reloads the code as it is
  edited (`uvicorn … --reload`, `manage.py runserver`, `npm run dev`: debug_env.py);
- it bind-mounts the application's own source tree into a service (`.:/var/www/html`, `./src:/app` where the
  directory holds composer.json, package.json, go.mod, …): the containers run the working copy as it is edited.
  Production stacks mount data, certificates, single config files or built static files (`./dist`);
- it runs a mail catcher (MailHog, Mailpit, MailDev, smtp4dev, MailCatcher): the application's mail goes to a
  web page for the developer to read, never to anyone.
  Neither counts in a stack that restarts its services by itself (`restart: always`, `unless-stopped`,
  `on-failure`), which is meant to keep running: there the mount is a deployment run from a checkout (CTFd's
  documented `docker compose up`, mailcow, crater) and the catcher a try-out service next to a real mail setup
  (Penpot's template). A database or cache that restarts by itself says nothing of the application's services (a
  Laravel developer's stack keeps MariaDB and Redis `unless-stopped` and the rest as it is);
- none of its services restarts by itself and it sits beside the project's Helm chart, which deploys the project
  (MapColonies' mapproxy: `helm/` beside the README's "Run Locally" stack);
- the Compose file's opening comment says it is for local development or a demonstration only (`¡FOR LOCAL
  DEVELOPMENT/DEMONSTRATION ONLY!`), as a config's does (declared_purpose.py);
- the README beside the Compose file says the stack is for testing or development only, or not for production
  (ONLYOFFICE's docker-onlyoffice-nextcloud: "only distributed for testing purposes and cannot be used in any
  production environment", or "The demo uses Docker compose"), also in Chinese, Japanese, Spanish, German or French;
  or, in a README that names no
  production environment at all, that Docker Compose starts a development environment (开发环境, 開発環境,
  Entwicklungsumgebung...). A sentence that names a file (`use docker-compose.prod.yml in production`) points
  elsewhere and does not count, nor does the README for a Compose file named for production.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..repository import DEVELOPMENT_NAME, README_NAME, find_repository_root, is_local_development_environment
from .debug_env import runs_development_server, switches_on_debugging
from .detect import PRODUCTION_NAME, image_repository, is_nginx_container
from .declared_purpose import declared_not_for_production

# Files at the top of an application's source tree: its dependency or build manifest, or its entry point.
_SOURCE_MARKERS = frozenset({
    "composer.json", "package.json", "go.mod", "pyproject.toml", "setup.py", "requirements.txt", "Pipfile",
    "manage.py", "Gemfile", "Cargo.toml", "pom.xml", "build.gradle", "build.gradle.kts", "mix.exs", "artisan",
    "index.php", "wp-config.php",
})
# The last part of a mail catcher image's repository (mailhog/mailhog, axllent/mailpit, maildev/maildev,
# rnwood/smtp4dev, schickling/mailcatcher, inbucket/inbucket, marlonb/mailcrab, gessnerfl/fake-smtp-server).
_MAIL_CATCHERS = frozenset({"mailhog", "mailpit", "maildev", "smtp4dev", "mailcatcher", "inbucket", "mailcrab",
                            "fake-smtp-server"})
# The last part of a load generator's image repository (grafana/k6, locustio/locust, …): a stack that runs one
# against its nginx is a test rig, brought up to measure it and taken down
_LOAD_GENERATORS = frozenset({"k6", "locust", "wrk", "wrk2", "vegeta", "jmeter", "artillery", "hey", "gatling",
                              "siege", "ab"})
# The last part of a database's, cache's or broker's image repository (mariadb, postgres, bitnami/redis, ...).
_DATA_STORES = frozenset({"mariadb", "mysql", "percona", "postgres", "postgis", "timescaledb", "mongo", "redis",
                          "valkey", "keydb", "memcached", "elasticsearch", "opensearch", "rabbitmq", "minio"})
# A statement that the stack is not for production, or for testing or development only, on text whose spaces
# are single: "not intended for production", "cannot be used in any production environment", "do not use this
# setup in production", "for testing purposes only", "only distributed for testing purposes"; or that the stack is
# the local way of running what is deployed elsewhere ("can also be run locally using Docker Compose").
_NOT_FOR_PRODUCTION = re.compile(
    r"\bnot (?:intended|meant|suitable|designed|recommended|supported|safe|ready|fit) (?:to be used )?"
    r"(?:for|in) (?:use in )?(?:a |any )?production\b"
    r"|\b(?:cannot|can ?not|can't|must not|mustn't|should not|shouldn't|may not) be (?:used|run|deployed) "
    r"(?:in|for|on) (?:a |any )?production\b"
    r"|\b(?:do not|don't|never) (?:use|run|deploy) (?:this|it)(?: (?:docker |compose )?(?:setup|stack|file|image|"
    r"configuration|config|installation|environment|containers?|project|repository))? (?:in|for|on) "
    r"(?:a |any )?production\b"
    r"|\bnot (?:intended|meant|designed|suitable) to be (?:[\w-]+ ){1,8}?(?:or )?(?:used|run|deployed) (?:in|for) "
    r"(?:a |any )?production\b"
    r"|\bnot for (?:use in )?production\b"
    r"|\bfor (?:local )?(?:testing|test|development|dev|demo|demonstration|evaluation) (?:purposes? )?only\b"
    r"|\bonly (?:\w+ )?for (?:local )?(?:testing|development|demo|demonstration|evaluation)\b"
    # "designed to be run in an AKS cluster, but can also be run locally using Docker Compose"
    r"|\b(?:can|could|may) also be (?:run|started|tried) locally\b"
    # "a great way to set up development, testing, and staging environments" (no production among them)
    r"|\bway to (?:set up|run|create|spin up) (?:local )?(?:development|dev|testing|test)"
    r"(?:(?:,|,? and|,? or) (?:development|dev|testing|test|staging|demo))* environments?\b"
    # "The demo uses Docker compose, but the mechanics can be applied to any other deployment model"
    r"|\b(?:this|the) (?:demo|demonstration|example|sandbox|playground|tutorial) (?:uses|runs|starts|is run with)\b",
    re.IGNORECASE)
# The same statements in the other languages READMEs are often written in (a few common phrasings each): Chinese
# (Traditional and Simplified: 僅供測試 "for testing only", 請勿用於生產環境 "do not use in production"), Japanese
# (本番環境では使用しないでください), Spanish, German, French.
_NOT_FOR_PRODUCTION_TRANSLATED = re.compile(
    r"[僅仅]供(?:測試|测试|開發|开发)|[僅仅]用[於于](?:測試|测试|開發|开发)"
    r"|(?:請勿|请勿|不要|切勿|不可|不能|禁止)(?:在|用[於于])生[產产][環环]境|不[適适]用[於于]生[產产][環环]境"
    r"|本番環境(?:で|での)(?:は|の)?(?:使用|利用)(?:しないで|は(?:推奨|想定)されて?いません)"
    r"|\bno (?:usar|utilizar|apto|recomendado) (?:en|para) producci[óo]n\b|\bs[óo]lo para (?:desarrollo|pruebas)\b"
    r"|\bnicht für (?:den |die )?(?:Produktiv\w*|Produktion\w*)|\bnur für (?:die )?(?:Entwicklung|Test\w*)\b"
    r"|\bne pas utiliser en production\b|\bpas (?:destinée?|adaptée?|prévue?) (?:à|pour) la production\b"
    r"|\buniquement pour (?:le développement|les tests)\b",
    re.IGNORECASE)
# "A development environment" ("使用 Docker Compose 一鍵啟動完整開發環境": Docker Compose starts the whole
# development environment; "Docker compose is recommended in the development environment of the project"), said of
# the setup in a README that names no production environment at all: one that
# does sets a production way of running apart, which may be this very stack.
_DEVELOPMENT_ENVIRONMENT = re.compile(
    r"[開开][發发][環环]境|開発環境|[開开][發发]用|開発用|\bentorno de desarrollo\b|\bEntwicklungsumgebung\b"
    r"|\benvironnement de développement\b|\bdevelopment environment\b", re.IGNORECASE)
_PRODUCTION = re.compile(r"生[產产]|本番|producci[óo]n|produktion|produktiv|production|\bprod\b", re.IGNORECASE)
# Words for the setup in any of these languages; a Chinese or Japanese sentence has no spaces around them.
_SETUP_ANY_LANGUAGE = re.compile(r"docker|compose|容器|コンテナ|container|conteneur|contenedor", re.IGNORECASE)
# The statement is about the setup, or the whole project it runs ("the app is for demo purpose only"), not about one
# part of it ("the default password is for testing only", "the latest tag should not be used in a production
# environment").
_SETUP = re.compile(
    r"\b(?:docker|compose|stack|setup|installation|containers?|local (?:development|dev) environment"
    r"|^\s*(?:this|the|our) (?:app|application|project|repository|repo) (?:is|should|must|may|can))\b",
    re.IGNORECASE)
_NAMES_FILE = re.compile(r"\w\.(?:ya?ml|env|conf)\b", re.IGNORECASE)
# Where a sentence ends: its punctuation, a blank line, a table cell, a list item or heading.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|(?<=[。！？])|\n[ \t]*(?:\n|(?=[-*+>#]))|\|")
_SPACES = re.compile(r"\s+")


def developer_stack(compose_path: Path, services) -> bool:
    """Whether the Compose file at `compose_path` (its services: RuntimeFacts) is a developer's stack."""
    directory = compose_path.parent
    return any(switches_on_debugging(facts.container.env_values) or runs_development_server(facts.container.argv)
               for facts in services) \
        or any(_mounts_local_certificate(mount) for facts in services for mount in facts.container.mounts) \
        or (not any(_restarts(facts.container) and not _data_store(facts.container.image)
                    and not _development_build(facts.container) for facts in services)
            and any(_mail_catcher(facts.container.image)
                    or any(_mounts_sources(directory, mount) for mount in facts.container.mounts)
                    for facts in services)) \
        or (not PRODUCTION_NAME.search(compose_path.name) and (
            _readme_says_not_for_production(directory) or _top_readme_says_not_for_production(directory)
            or _header_says_not_for_production(compose_path))) \
        or _brought_up_by_test_script(directory) \
        or _load_test_of_nginx(services) \
        or (_beside_a_chart(directory) and not any(_restarts(facts.container) for facts in services))


def _header_says_not_for_production(compose_path: Path) -> bool:
    """The Compose file's opening comment says the stack is for development or a demonstration only."""
    try:
        with open(compose_path, encoding="utf-8", errors="replace") as file:
            return declared_not_for_production(file.read(4000))
    except OSError:
        return False


# The directories a project keeps its Helm chart in, beside its Compose file
_CHART_DIRECTORIES = ("helm", "chart", "charts", *(f"{parent}/helm" for parent in (
    "deploy", "deployment", "deployments", "infrastructure", "infra", "k8s", "kubernetes", "ops")))


def _beside_a_chart(directory: Path) -> bool:
    """The Compose file sits beside the project's Helm chart (`helm/Chart.yaml`, `charts/app/Chart.yaml`): the chart
    deploys the project, and a stack none of whose services restarts by itself runs it on a developer's machine (a
    self-hosting stack offered beside the chart restarts its services)."""
    for name in _CHART_DIRECTORIES:
        chart = directory / name
        if (chart / "Chart.yaml").is_file() or any(chart.glob("*/Chart.yaml")):
            return True
    return False


# `docker compose -f "$COMPOSE_FILE" up -d`, `docker-compose up`: a script starting a Compose stack
_COMPOSE_UP = re.compile(r"\bdocker[ -]compose\b[^\n]*\bup\b")
_TEST_SCRIPT = re.compile(r"(?:^|[._-])tests?(?:[._-]|$)", re.IGNORECASE)


def _brought_up_by_test_script(directory: Path) -> bool:
    """A test script beside the Compose file starts it (`resiliency-tests.sh` running `docker compose -f … up -d`):
    the stack is a test run, brought up, checked and torn down."""
    try:
        names = [name for name in os.listdir(directory) if name.endswith(".sh") and _TEST_SCRIPT.search(name[:-3])]
    except OSError:
        return False
    for name in names:
        try:
            if _COMPOSE_UP.search((directory / name).read_text(encoding="utf-8", errors="replace")):
                return True
        except OSError:
            continue
    return False


# mkcert's output for several names, `<first name>+<count of the others>.pem` and `…-key.pem`
# (https://github.com/FiloSottile/mkcert): a certificate only the developer's machine trusts
_MKCERT_FILE = re.compile(r"[^/]\+\d+(?:-key|-client)?\.pem$")


def _mounts_local_certificate(mount) -> bool:
    return bool(mount.source) and bool(_MKCERT_FILE.search(mount.source))


def _development_build(container) -> bool:
    """The service builds a Dockerfile's development stage (`target: backend-development`), or runs an image tagged
    so (`impress:y-provider-development`): its restart policy keeps a developer's server up."""
    build = container.build_source
    tag = container.image.rpartition(":")[2] if container.image and ":" in container.image else ""
    return bool(build and build[2] and DEVELOPMENT_NAME.search(build[2]) or DEVELOPMENT_NAME.search(tag))


def _restarts(container) -> bool:
    restart = container.restart
    return restart is not None and str(restart.value).strip().strip("'\"").lower() not in ("", "no", "false")


def _image_name(image: str | None) -> str:
    """The last part of an image's repository, lower case (`bitnami/redis:7` -> `redis`); empty for none."""
    return image_repository(image).lower().rsplit("/", 1)[-1] if image else ""


def _data_store(image: str | None) -> bool:
    return _image_name(image) in _DATA_STORES


def _load_test_of_nginx(services) -> bool:
    """A load generator of the stack starts after its nginx (`k6` with `depends_on: [nginx]`): the stack is brought up
    to measure that nginx. One aimed at another service makes demo traffic for it (SigNoz's Locust for HotROD)."""
    nginx = {facts.name.lower() for facts in services if is_nginx_container(facts.container)}
    return any(_load_generator(facts.container.image) and facts.depends_on & nginx for facts in services)


def _load_generator(image: str | None) -> bool:
    return _image_name(image) in _LOAD_GENERATORS


def _mail_catcher(image: str | None) -> bool:
    return _image_name(image) in _MAIL_CATCHERS


def _mounts_sources(directory: Path, mount) -> bool:
    """A bind mount of a directory that holds an application's sources (not data or built output), or of the file
    that marks them (`../package.json:/app/package.json`, beside `../src:/app/src`)."""
    source = mount.source
    return mount.kind == "bind" and bool(source) and source.startswith(".") and (
        holds_sources(directory / source) or Path(source).name in _SOURCE_MARKERS and (directory / source).is_file())


def holds_sources(path: Path) -> bool:
    """Whether `path` is the top of an application's source tree."""
    try:
        return not _SOURCE_MARKERS.isdisjoint(os.listdir(path))
    except OSError:  # a file, or a directory the repository does not hold
        return False


def _readmes(directory: Path):
    """The sentences of each README in the directory."""
    try:
        names = [name for name in os.listdir(directory) if README_NAME.fullmatch(name)]
    except OSError:
        return
    for name in names:
        try:
            text = (directory / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        yield text, [_SPACES.sub(" ", sentence) for sentence in _SENTENCE_END.split(text)]


def _top_readme_says_not_for_production(directory: Path) -> bool:
    """The repository's own README, above the Compose file's directory, says in so many words that its Docker setup
    is not for production ("The docker-compose setup is for development only"); or its opening calls the whole
    project a local development environment or a demonstration ("This project demonstrates how to use Nginx with
    Lua"), wherever the Compose file is."""
    top = find_repository_root(directory)
    if top is None:
        return False
    return is_local_development_environment(top) or top != directory and any(
        any(says_not_for_production(sentence) for sentence in sentences) for _text, sentences in _readmes(top))


def _readme_says_not_for_production(directory: Path) -> bool:
    for text, sentences in _readmes(directory):
        if any(says_not_for_production(sentence) for sentence in sentences):
            return True
        # "This is the docker compose setup to run the UI. This is not for production use.": "This" is the setup
        if any(sentence.lstrip().lower().startswith(("this ", "it ")) and _NOT_FOR_PRODUCTION.search(sentence)
               and says_not_for_production(before + " " + sentence)
               for before, sentence in zip(sentences, sentences[1:])):
            return True
        if not _PRODUCTION.search(text) and any(_about_setup(sentence, _DEVELOPMENT_ENVIRONMENT)
                                                for sentence in sentences):
            return True
    return False


def says_not_for_production(sentence: str) -> bool:
    """Whether one sentence of a README says the setup is not for production, or for testing only."""
    return _about_setup(sentence, _NOT_FOR_PRODUCTION, setup=_SETUP) \
        or _about_setup(sentence, _NOT_FOR_PRODUCTION_TRANSLATED)


def _about_setup(sentence: str, statement: re.Pattern, setup: re.Pattern = _SETUP_ANY_LANGUAGE) -> bool:
    """The sentence makes the statement of the setup as a whole, not of a file it names."""
    return bool(statement.search(sentence) and setup.search(sentence)
                and not _NAMES_FILE.search(sentence))
