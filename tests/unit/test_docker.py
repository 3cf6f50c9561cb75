"""docker/: exact images only, and secrets of any character reach the service as typed."""

import ast
import re
import tomllib
from pathlib import Path

import yaml
from tortoise.backends.base.config_generator import expand_db_url

from onething.settings import load_settings

ROOT = Path(__file__).parent.parent.parent
DOCKER = ROOT / "docker"
# an exact release, never a floating tag (PostgreSQL numbers its releases major.minor)
EXACT = re.compile(r"(postgres:\d+\.\d+|[\w./-]+:\d+\.\d+\.\d+|[\w./-]+:RELEASE\.[\dT-]+Z)(-[a-z]+)*")
# what an operator may well choose: characters that mean something in a URL
SECRETS = {
    "POSTGRES_PASSWORD": "p@ss/w+rd%41#?&:x",
    "MINIO_ROOT_USER": "on+thing@gov/cn",
    "MINIO_ROOT_PASSWORD": "wJalrXUt/K7MDENG+bPxRfi@CY%2F",
}


def _compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:?message}, ${NAME:-default} and $$."""
    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, sep, rest = re.match(r"(\w+)(:[?-])?(.*)", match.group(1)).groups()
        if env.get(name):
            return env[name]
        assert sep != ":?", f"compose would stop: {rest}"
        return rest if sep == ":-" else ""
    return re.sub(r"\$\$|\$\{([^}]+)\}", one, value)


def _env_example() -> dict[str, str]:
    lines = (DOCKER / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_secrets_with_url_characters_reach_the_app_as_typed(tmp_path):
    env = _env_example() | SECRETS | {
        "ONETHING_SECRET_KEY": "k" * 48, "ONETHING_OA_APPID": "wx-oa", "ONETHING_OA_SECRET": "s",
        "ONETHING_OA_TOKEN": "t", "ONETHING_MP_APPID": "wx-mp", "ONETHING_MP_SECRET": "s",
    }
    service = _compose()["services"]["app"]
    assert service["env_file"] == ".env"
    container = {k: v for k, v in env.items() if k.startswith("ONETHING_")}
    container |= {name: _interpolate(str(value), env) for name, value in service["environment"].items()}
    settings = load_settings(container | {"ONETHING_DATA_DIR": str(tmp_path)})

    database = expand_db_url(settings.database_url)["credentials"]
    assert (database["host"], database["port"], database["database"]) == ("postgres", 5432, "onething")
    assert (database["user"], database["password"]) == ("onething", SECRETS["POSTGRES_PASSWORD"])
    s3 = settings.object_store.s3
    assert (s3.endpoint, s3.bucket, s3.public_endpoint) == ("minio:9000", "onething", "files.example.gov.cn")
    assert (s3.access_key, s3.secret_key) == (SECRETS["MINIO_ROOT_USER"], SECRETS["MINIO_ROOT_PASSWORD"])


def test_the_services_get_the_same_secrets_as_the_app():
    services = _compose()["services"]
    postgres = {k: _interpolate(v, SECRETS) for k, v in services["postgres"]["environment"].items()}
    minio = {k: _interpolate(v, SECRETS) for k, v in services["minio"]["environment"].items()}
    assert postgres["POSTGRES_PASSWORD"] == SECRETS["POSTGRES_PASSWORD"]
    assert (minio["MINIO_ROOT_USER"], minio["MINIO_ROOT_PASSWORD"]) == (
        SECRETS["MINIO_ROOT_USER"], SECRETS["MINIO_ROOT_PASSWORD"])


def test_every_image_is_an_exact_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    for name, service in _compose()["services"].items():
        if "build" in service:  # ours, built from this tree
            assert service["image"] == f"onething:{version}", name
        else:
            assert EXACT.fullmatch(service["image"]), f"{name}: {service['image']} is not an exact version"
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    arguments = dict(re.findall(r"^ARG (\w+)=(\S+)$", dockerfile, re.M))
    bases = [arguments.get(m.strip("${}"), m) for m in re.findall(r"^FROM (\S+)", dockerfile, re.M)]
    assert bases and all(EXACT.fullmatch(base) for base in bases), bases


def test_the_image_is_built_from_everything_the_wheel_needs():
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    copied = {source for line in re.findall(r"^COPY (?!--)(.+) \S+$", dockerfile, re.M) for source in line.split()}
    packages = ast.literal_eval(re.search(r"^TOP = (.+)$", (ROOT / "setup.py").read_text(), re.M).group(1))
    assert {"pyproject.toml", "setup.py", "constraints.txt", "README.md", "templates", *packages} <= copied
