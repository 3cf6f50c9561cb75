"""The parts of the settings (where the database, Redis, the object store and WeChat are, and
who may push to us) and how each is read from its variables.

Each reader appends what is wrong to ``problems`` instead of raising, so that an operator sees
every mistake of a configuration at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit, urlunsplit

PREFIX = "ONETHING_"


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

    @property
    def download_origin(self) -> str:
        """Where presigned links point (scheme://host:port): the console's pages preview files from there."""
        if self.public_endpoint:
            return f"{'https' if self.public_secure else 'http'}://{self.public_endpoint}"
        return f"{'https' if self.secure else 'http'}://{self.endpoint}"


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
