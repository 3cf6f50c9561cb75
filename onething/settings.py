"""Typed settings, read once from ``ONETHING_*`` environment variables.

With nothing set the service runs on the embedded default: a SQLite file, an in-process
Redis-compatible store, a folder as object store and the WeChat sandbox, all under
``./data``. Anything wrong is reported by :class:`SettingsError` at startup, naming the
variable, so an operator never meets it later as a stack trace on the first request.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Mapping
from urllib.parse import parse_qs, quote, unquote, urlsplit, urlunsplit

PREFIX = "ONETHING_"


class SettingsError(ValueError):
    """One or more settings are missing or malformed; the message lists all of them."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid configuration:\n  - " + "\n  - ".join(problems))


class Secret(str):
    """A string that never shows itself in reprs, tracebacks or logs."""

    def __repr__(self) -> str:
        return "Secret('******')"


@dataclass(frozen=True)
class S3Location:
    endpoint: str  # host:port
    access_key: str
    secret_key: Secret
    bucket: str
    region: str
    secure: bool
    public_endpoint: str | None  # host:port the phones reach, for presigned URLs
    public_secure: bool


@dataclass(frozen=True)
class ObjectStoreLocation:
    folder: Path | None = None
    s3: S3Location | None = None


@dataclass(frozen=True)
class OfficialAccount:
    appid: str
    secret: Secret
    token: Secret
    aes_key: Secret | None  # None: plaintext mode only
    # "plain", "compatible" or "safe": which messages the bot believes (see MESSAGE_MODES)
    message_mode: str = "plain"


@dataclass(frozen=True)
class MiniProgram:
    appid: str
    secret: Secret


@dataclass(frozen=True)
class MessageTemplates:
    """WeChat template ids for case notifications; an empty one leaves that channel out."""

    mp_subscribe: str = ""  # the mini-program's subscribe message (订阅消息)
    oa_subscribe: str = ""  # the official account's subscription notice (订阅通知)
    oa_template: str = ""  # the official account's template message (模板消息)


@dataclass(frozen=True)
class Settings:
    env: str
    data_dir: Path
    database_url: str
    redis_url: str | None  # None: the in-process store (one process only)
    object_store: ObjectStoreLocation
    public_url: str
    secret_key: Secret
    official_account: OfficialAccount | None
    mini_program: MiniProgram | None
    wechat_api_base: str
    log_level: str
    message_templates: MessageTemplates = MessageTemplates()
    rate_limit_per_user: int = 120  # requests a minute for one signed-in citizen
    rate_limit_per_ip: int = 600  # requests a minute from one address (a service centre shares one)
    # (carrier code, secret) pairs: the carriers whose signed tracking updates are accepted
    carrier_webhook_secrets: tuple[tuple[str, Secret], ...] = ()
    # seconds a dead worker's jobs and claimed messages stay held before another worker takes them
    worker_lease: int = 20
    # the reverse proxies whose X-Forwarded-For is believed; from anyone else it is ignored
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()

    def webhook_secret(self, carrier: str) -> Secret | None:
        return dict(self.carrier_webhook_secrets).get(carrier)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def wechat_sandbox(self) -> bool:
        return self.official_account is None and self.mini_program is None

    @property
    def database_is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from the environment, collecting every problem at once."""
    env = os.environ if environ is None else environ
    problems: list[str] = []

    def get(name: str, default: str = "") -> str:
        return env.get(PREFIX + name, default).strip()

    mode = get("ENV", "development")
    if mode not in ("development", "production"):
        problems.append(f"{PREFIX}ENV must be 'development' or 'production', not {mode!r}")
    production = mode == "production"
    data_dir = Path(get("DATA_DIR", "data"))

    # Passwords and keys may also come apart from their URL, so that no character in them
    # (@, /, +, %, #...) can bend the URL into another host, bucket or secret.
    database_url = _database_url(get("DATABASE_URL"), get("DATABASE_PASSWORD"), data_dir, problems)
    redis_url = _redis_url(get("REDIS_URL"), problems)
    store = _object_store(
        get("OBJECT_STORE_URL"), (get("OBJECT_STORE_ACCESS_KEY"), get("OBJECT_STORE_SECRET_KEY")), data_dir, problems
    )
    public_url = _http_url("PUBLIC_URL", get("PUBLIC_URL", "http://127.0.0.1:8080"), problems)
    wechat_api_base = _http_url(
        "WECHAT_API_BASE", get("WECHAT_API_BASE", "https://api.weixin.qq.com/"), problems
    )
    if not wechat_api_base.endswith("/"):
        wechat_api_base += "/"

    secret_key = get("SECRET_KEY")
    if secret_key and len(secret_key) < 32:
        problems.append(f"{PREFIX}SECRET_KEY must be at least 32 characters")
    official_account = _official_account(get, problems)
    mini_program = _mini_program(get, problems)

    if production:
        if not secret_key:
            problems.append(f"{PREFIX}SECRET_KEY is required in production")
        if official_account is None:
            problems.append(f"{PREFIX}OA_APPID, OA_SECRET and OA_TOKEN are required in production")
        if mini_program is None:
            problems.append(f"{PREFIX}MP_APPID and MP_SECRET are required in production")
        if redis_url is None:
            problems.append(f"{PREFIX}REDIS_URL is required in production (the in-process store serves one process)")
    log_level = get("LOG_LEVEL", "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(f"{PREFIX}LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
    limits = {}
    for name in ("RATE_LIMIT_PER_USER", "RATE_LIMIT_PER_IP"):
        raw = get(name)
        if raw:
            if raw.isdigit() and int(raw) > 0:
                limits[name.lower()] = int(raw)
            else:
                problems.append(f"{PREFIX}{name} must be a positive number of requests a minute")
    message_templates = MessageTemplates(
        mp_subscribe=get("MP_SUBSCRIBE_TEMPLATE"), oa_subscribe=get("OA_SUBSCRIBE_TEMPLATE"),
        oa_template=get("OA_TEMPLATE"),
    )
    webhook_secrets = _webhook_secrets(get("CARRIER_WEBHOOK_SECRETS"), problems)
    lease = get("WORKER_LEASE")
    if lease and not (lease.isdigit() and 2 <= int(lease) <= 30):
        # a dead worker's work must resume within a minute: the lease, a sweep and a tick of the sender
        problems.append(f"{PREFIX}WORKER_LEASE must be a number of seconds from 2 to 30")
    elif lease:
        limits["worker_lease"] = int(lease)
    trusted_proxies = _trusted_proxies(get("TRUSTED_PROXIES"), problems)
    if problems:
        raise SettingsError(problems)
    if not secret_key:
        secret_key = _development_secret(data_dir)
    return Settings(
        env=mode,
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        object_store=store,
        public_url=public_url.rstrip("/"),
        secret_key=Secret(secret_key),
        official_account=official_account,
        mini_program=mini_program,
        wechat_api_base=wechat_api_base,
        log_level=log_level,
        message_templates=message_templates,
        carrier_webhook_secrets=webhook_secrets,
        trusted_proxies=trusted_proxies,
        **limits,
    )


def _development_secret(data_dir: Path) -> str:
    # Kept on disk so signed URLs and encrypted ID numbers survive a restart.
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


def _database_url(raw: str, password: str, data_dir: Path, problems: list[str]) -> str:
    scheme = urlsplit(raw).scheme
    if password and scheme not in ("postgres", "postgresql"):
        problems.append(f"{PREFIX}DATABASE_PASSWORD goes with a postgres:// {PREFIX}DATABASE_URL")
    if not raw:
        return f"sqlite://{data_dir / 'onething.sqlite3'}"
    if scheme == "sqlite":
        return raw
    if scheme in ("postgres", "postgresql"):
        parts = urlsplit(raw)
        if not parts.hostname or not parts.path.strip("/"):
            problems.append(f"{PREFIX}DATABASE_URL needs a host and a database name: postgres://user@host:5432/db")
        if password and parts.password is not None:
            problems.append(f"{PREFIX}DATABASE_PASSWORD is set: leave the password out of {PREFIX}DATABASE_URL")
        elif password:  # quoted whole; the driver unquotes it
            host = parts.netloc.rpartition("@")[2]
            raw = urlunsplit(parts._replace(netloc=f"{parts.username or ''}:{quote(password, safe='')}@{host}"))
        return "postgres" + raw[len(scheme):]
    problems.append(f"{PREFIX}DATABASE_URL must start with sqlite:// or postgres://")
    return raw


def _redis_url(raw: str, problems: list[str]) -> str | None:
    if not raw or raw == "memory://":
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("redis", "rediss", "unix") or (parts.scheme != "unix" and not parts.hostname):
        problems.append(f"{PREFIX}REDIS_URL must look like redis://host:6379/0 (or be empty for the in-process store)")
    return raw


def _object_store(raw: str, keys: tuple[str, str], data_dir: Path, problems: list[str]) -> ObjectStoreLocation:
    parts = urlsplit(raw)
    if any(keys) and parts.scheme not in ("s3", "minio"):
        problems.append(f"{PREFIX}OBJECT_STORE_ACCESS_KEY and _SECRET_KEY go with an s3:// {PREFIX}OBJECT_STORE_URL")
    if not raw:
        return ObjectStoreLocation(folder=data_dir / "objects")
    if parts.scheme == "file":
        return ObjectStoreLocation(folder=Path(unquote(parts.netloc + parts.path)))
    if parts.scheme not in ("s3", "minio"):
        problems.append(f"{PREFIX}OBJECT_STORE_URL must start with file:// or s3://")
        return ObjectStoreLocation()
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    bucket = parts.path.strip("/")
    access_key, secret_key = keys if any(keys) else (unquote(parts.username or ""), unquote(parts.password or ""))
    if any(keys) and (parts.username or parts.password):
        problems.append(f"{PREFIX}OBJECT_STORE_ACCESS_KEY and _SECRET_KEY are set: leave the keys out of the URL")
        return ObjectStoreLocation()
    if not (parts.hostname and access_key and secret_key and len(bucket) >= 3):
        problems.append(
            f"{PREFIX}OBJECT_STORE_URL must look like s3://ACCESS_KEY:SECRET_KEY@host:9000/bucket"
            f" (bucket name at least 3 characters; or the keys in {PREFIX}OBJECT_STORE_ACCESS_KEY and _SECRET_KEY)"
        )
        return ObjectStoreLocation()
    public = query.get("public_url", "")
    public_parts = urlsplit(public) if public else None
    return ObjectStoreLocation(
        s3=S3Location(
            endpoint=parts.netloc.rpartition("@")[2],
            access_key=access_key,
            secret_key=Secret(secret_key),
            bucket=bucket,
            region=query.get("region", "us-east-1"),
            secure=query.get("secure", "true").lower() in ("1", "true", "yes"),
            public_endpoint=public_parts.netloc if public_parts else None,
            public_secure=(public_parts.scheme == "https") if public_parts else False,
        )
    )


def _http_url(name: str, raw: str, problems: list[str]) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(f"{PREFIX}{name} must be an http(s) URL, not {raw!r}")
    return raw


def _webhook_secrets(raw: str, problems: list[str]) -> tuple[tuple[str, Secret], ...]:
    from onething.domain.shipment import CARRIERS

    pairs = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        code, _, secret = part.partition(":")
        if code not in CARRIERS or len(secret) < 32:
            problems.append(f"{PREFIX}CARRIER_WEBHOOK_SECRETS must look like ems:SECRET,sf:SECRET (carriers: "
                            f"{', '.join(CARRIERS)}; secrets at least 32 characters)")
            return ()
        pairs.append((code, Secret(secret)))
    return tuple(pairs)


# The query signature covers the token, timestamp and nonce, never the body: only the AES
# envelope's own signature proves who wrote a message. With a key, then, nothing but encrypted
# messages is believed; compatible mode (WeChat's transition mode, the plaintext copy beside
# the encrypted one) has to be asked for, and even then only the encrypted copy is read.
MESSAGE_MODES = ("plain", "compatible", "safe")


def _trusted_proxies(raw: str, problems: list[str]) -> tuple[IPv4Network | IPv6Network, ...]:
    networks = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            networks.append(ip_network(part))  # strict: 10.0.0.1/8 is a typo for 10.0.0.0/8 or 10.0.0.1/32
        except ValueError:
            problems.append(f"{PREFIX}TRUSTED_PROXIES must be addresses or networks (CIDR) separated by commas, "
                            f"like 10.0.0.0/8,127.0.0.1, not {part!r}")
    return tuple(networks)


def _official_account(get, problems: list[str]) -> OfficialAccount | None:
    appid, secret, token, aes = get("OA_APPID"), get("OA_SECRET"), get("OA_TOKEN"), get("OA_AES_KEY")
    mode = get("OA_MESSAGE_MODE")
    if not (appid or secret or token or aes or mode):
        return None
    mode = mode or ("safe" if aes else "plain")
    if not (appid and secret and token):
        problems.append(f"{PREFIX}OA_APPID, OA_SECRET and OA_TOKEN go together: set all three")
    if aes and len(aes) != 43:
        problems.append(f"{PREFIX}OA_AES_KEY (EncodingAESKey) must be 43 characters")
    if mode not in MESSAGE_MODES:
        problems.append(f"{PREFIX}OA_MESSAGE_MODE must be plain, compatible or safe, not {mode!r}")
    elif (mode == "plain") == bool(aes):
        problems.append(f"{PREFIX}OA_MESSAGE_MODE={mode} " + (
            "leaves OA_AES_KEY unused: unset the key for plaintext mode" if aes else "needs OA_AES_KEY"))
    return OfficialAccount(appid, Secret(secret), Secret(token), Secret(aes) if aes else None, mode)


def _mini_program(get, problems: list[str]) -> MiniProgram | None:
    appid, secret = get("MP_APPID"), get("MP_SECRET")
    if not (appid or secret):
        return None
    if not (appid and secret):
        problems.append(f"{PREFIX}MP_APPID and MP_SECRET go together: set both")
    return MiniProgram(appid, Secret(secret))
