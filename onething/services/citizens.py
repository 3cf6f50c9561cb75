"""Citizens: WeChat login, bearer sessions in Redis, real-name identity and enterprise binding.

ID numbers are stored encrypted (a database dump does not reveal them) with a key derived
from the server secret; everything shown back is masked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

import redis.asyncio as aioredis
from cryptography.fernet import Fernet

from onething.services import enterprises, followers
from onething.domain.identity import mask_id_number, mask_phone, valid_credit_code, valid_id_number, valid_mobile
from storage.models import Citizen
from storage.wechat import WeChatGateway

TOKEN_TTL = 7 * 24 * 3600


def token_key(token: str) -> str:
    """Redis keeps a digest of each token, so a copy of Redis signs nobody in."""
    return f"citizen:token:{hashlib.sha256(token.encode()).hexdigest()}"


class IdentityInvalid(ValueError):
    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__("; ".join(fields.values()))


class IdCipher:
    def __init__(self, secret_key: str):
        key = hashlib.sha256(f"onething/id-numbers/{secret_key}".encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))
        self._digest_key = hashlib.sha256(f"onething/id-digests/{secret_key}".encode()).digest()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def digest(self, id_number: str) -> str:
        """A keyed digest of a (normalised) ID number: the same number always finds the same
        person or credit flag, and a dump without the secret tells nothing."""
        return hmac.new(self._digest_key, id_number.encode(), hashlib.sha256).hexdigest()


async def login(gateway: WeChatGateway, redis: aioredis.Redis, code: str) -> tuple[str, Citizen]:
    session = await gateway.mini_program_session(code)
    citizen, _ = await Citizen.get_or_create(openid=session.openid)
    await followers.citizen_logged_in(citizen, session.unionid)
    # WeChat's session key stays here: it decrypts the phone number and user data later.
    await redis.set(f"citizen:wxsession:{citizen.id}", session.session_key, ex=TOKEN_TTL)
    token = secrets.token_urlsafe(32)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(token_key(token), json.dumps({"citizen": citizen.id}), ex=TOKEN_TTL)
        pipe.sadd(f"citizen:tokens:{citizen.id}", token_key(token))
        pipe.expire(f"citizen:tokens:{citizen.id}", TOKEN_TTL)
        await pipe.execute()
    return token, citizen


async def citizen_for_token(redis: aioredis.Redis, token: str) -> int | None:
    raw = await redis.get(token_key(token))
    return json.loads(raw)["citizen"] if raw else None


async def logout(redis: aioredis.Redis, token: str) -> None:
    citizen_id = await citizen_for_token(redis, token)
    await redis.delete(token_key(token))
    if citizen_id:
        await redis.srem(f"citizen:tokens:{citizen_id}", token_key(token))


async def revoke_all(redis: aioredis.Redis, citizen_id: int) -> int:
    """Sign a citizen out everywhere (a lost phone, a blocked account)."""
    keys = await redis.smembers(f"citizen:tokens:{citizen_id}")
    if keys:
        await redis.delete(*keys)
    await redis.delete(f"citizen:tokens:{citizen_id}")
    return len(keys)


async def set_identity(citizen: Citizen, cipher: IdCipher, *, real_name: str, id_number: str, mobile: str) -> Citizen:
    problems = {}
    real_name, id_number, mobile = real_name.strip(), id_number.strip().upper(), mobile.strip()
    if not 2 <= len(real_name) <= 30:
        problems["real_name"] = "请填写与身份证一致的姓名。"
    if not valid_id_number(id_number):
        problems["id_number"] = "身份证号码不正确，请核对（含最后一位校验码）。"
    if not valid_mobile(mobile):
        problems["mobile"] = "请填写11位手机号码。"
    if problems:
        raise IdentityInvalid(problems)
    citizen.real_name, citizen.phone = real_name, None
    citizen.phone_cipher, citizen.phone_hint = cipher.encrypt(mobile), mask_phone(mobile)
    citizen.id_number_cipher, citizen.id_number_hint = cipher.encrypt(id_number), mask_id_number(id_number)
    citizen.id_number_digest = cipher.digest(id_number)  # a credit flag on this number applies from now on
    await citizen.save()
    return citizen


async def digest_missing(cipher: IdCipher) -> int:
    """Give a digest to the ID numbers stored before digests were kept (once, at startup)."""
    rows = await Citizen.filter(id_number_digest=None, id_number_cipher__not_isnull=True)
    for row in rows:
        await Citizen.filter(id=row.id).update(id_number_digest=cipher.digest(cipher.decrypt(row.id_number_cipher)))
    return len(rows)


async def encrypt_phones(cipher: IdCipher) -> int:
    """Encrypt the phones stored in the clear before the SMS channel used them (once, at startup)."""
    rows = await Citizen.filter(phone__not_isnull=True)
    for row in rows:
        await Citizen.filter(id=row.id).update(phone=None, phone_cipher=cipher.encrypt(row.phone),
                                               phone_hint=mask_phone(row.phone))
    return len(rows)


async def bind_enterprise(citizen: Citizen, credit_code: str) -> Citizen:
    code = credit_code.strip().upper()
    if not valid_credit_code(code):
        raise IdentityInvalid({"credit_code": "统一社会信用代码不正确，请核对（18位，含校验码）。"})
    if citizen.enterprise_code != code:
        citizen.enterprise_code, citizen.enterprise_verified = code, False
        await citizen.save()
    await enterprises.bind_citizen(citizen)  # the enterprise's manager confirms it
    return citizen
