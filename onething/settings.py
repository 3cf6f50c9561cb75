"""Typed settings, read once from ``ONETHING_*`` environment variables.

With nothing set the service runs on the embedded default: a SQLite file, an in-process
Redis-compatible store, a folder as object store and the WeChat sandbox, all under
``./data``. Anything wrong is reported by :class:`SettingsError` at startup, naming the
variable, so an operator never meets it later as a stack trace on the first request.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Mapping

from onething.settings_parts import (  # noqa: F401 (S3Location and the others are read from here too)
    MESSAGE_MODES, PREFIX, MiniProgram, ObjectStoreLocation, OfficialAccount, S3Location, Secret, _database_url,
    _http_url, _mini_program, _object_store, _official_account, _redis_url, _trusted_proxies, _webhook_secrets,
)
from onething.settings_sms import SmsSettings, sms_settings


PAGE_PATH = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*", re.ASCII)


class SettingsError(ValueError):
    """One or more settings are missing or malformed; the message lists all of them."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid configuration:\n  - " + "\n  - ".join(problems))


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
    sms: SmsSettings | None = None  # None: the SMS sandbox, which records instead of sending
    # the mini-program page that opens one thing (its code in the query): where the bot's answers link
    mini_program_thing_page: str = "pages/thing/index"

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


class Unreachable(ConnectionError):
    """A service this process depends on does not answer at startup: which, and the setting naming it."""

    def __init__(self, service: str, variable: str, cause: BaseException):
        super().__init__(f"cannot reach {service} ({type(cause).__name__}: {cause}); check {variable}")
        self.service, self.variable, self.cause = service, variable, cause


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
    sms = sms_settings(get, problems)
    thing_page = get("MP_THING_PAGE")
    if thing_page and not PAGE_PATH.fullmatch(thing_page):
        problems.append(f"{PREFIX}MP_THING_PAGE must be a mini-program page path like pages/thing/index "
                        "(no leading slash, no query)")
    elif thing_page:
        limits["mini_program_thing_page"] = thing_page
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
        sms=sms,
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
