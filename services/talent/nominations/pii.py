"""Resident ID numbers (GB 11643): encrypted at rest, masked on the way out, matched by a keyed hash.

- At rest: Fernet tokens (AES-128-CBC + HMAC-SHA256), never plain text. The key: `SRDI_TALENT_KEY`,
  one or more Fernet keys separated by commas (the first encrypts, all decrypt, so a key can be
  rotated).
- Out: `mask()` keeps the first four digits (province and city) and the check character. The
  birth-date digits are hidden *and* so are the district and serial digits around them, so the check
  character says nothing about the birth date (three hidden serial digits reach every residue mod
  11), and knowing a person's birthday and gender still leaves hundreds of candidate numbers.
- Matching: `PersonKey.of()` is an HMAC-SHA256 of the number under `SRDI_TALENT_HASH_KEY` (a
  secret of at least 32 characters, kept apart from the Fernet keys, which rotate: a changed hash
  key would need every stored hash recomputed). Without the key, no one holding the table can
  test guessed numbers against it.

Without the variables, in the embedded default (SRDI_ENV=dev) only, both keys are derived from the
suite's signing secret with HKDF-SHA256; outside dev they are required (503 `talent-key-missing`),
because rotating the token secret must not make stored ID numbers unreadable or unmatched.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.errors import Problem
from shared.settings import Settings

ENV_KEY = "SRDI_TALENT_KEY"
ENV_HASH_KEY = "SRDI_TALENT_HASH_KEY"


def mask(number: str) -> str:
    """1101*************X: the province and city, and the check character; nothing else.

    Also turns the older mask (110111********123X, which left exactly the birth digits to guess and
    a check character to confirm the guess) into this one, since it keeps positions it kept."""
    return number[:4] + "*" * 13 + number[17:18]


class IdCipher:
    def __init__(self, keys: list[bytes]):
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, number: str) -> str:
        return self._fernet.encrypt(number.encode()).decode("ascii")

    def open(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode()


class PersonKey:
    """The keyed hash that tells one person's nominations apart from others' without the number."""

    def __init__(self, key: bytes):
        self._key = key

    def of(self, number: str) -> str:
        return hmac.new(self._key, b"resident-id:v1:" + number.strip().upper().encode(), hashlib.sha256).hexdigest()


def _hkdf(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"srdi-talent", info=info).derive(secret.encode())


def derived_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(_hkdf(secret, b"resident-id-fernet-v1"))


KEY_ZH = {ENV_KEY: "身份证号码加密密钥", ENV_HASH_KEY: "身份证号码散列密钥"}


def _missing(variable: str) -> Problem:
    # The variable's name is in the English half, for the operator; the Chinese half says what is missing.
    return Problem(503, "talent-key-missing", f"未配置{KEY_ZH[variable]}，暂不能处理身份证号码，请联系系统运维",
                   f"{variable} must be set outside the embedded default")


def cipher_from(settings: Settings) -> IdCipher:
    """SRDI_TALENT_KEY (shared.settings; checked at start outside dev), else in dev a key derived
    from the signing secret."""
    configured = [k.strip().encode() for k in (settings.talent_key or "").split(",") if k.strip()]
    if configured:
        return IdCipher(configured)
    if settings.env != "dev":
        raise _missing(ENV_KEY)
    return IdCipher([derived_key(settings.signing_secret)])


def person_key_from(settings: Settings) -> PersonKey:
    """SRDI_TALENT_HASH_KEY (at least 32 characters, refused at start when shorter), else in dev a
    key derived from the signing secret."""
    if settings.talent_hash_key:
        return PersonKey(settings.talent_hash_key.strip().encode())
    if settings.env != "dev":
        raise _missing(ENV_HASH_KEY)
    return PersonKey(_hkdf(settings.signing_secret, b"resident-id-hmac-v1"))


def cipher_of(state) -> IdCipher:
    """The app's cipher, built once (`state` is the FastAPI app.state with .settings)."""
    cipher = getattr(state, "talent_cipher", None)
    if cipher is None:
        cipher = state.talent_cipher = cipher_from(state.settings)
    return cipher


def person_key_of(state) -> PersonKey:
    """The app's keyed hash, built once."""
    keyer = getattr(state, "talent_person_key", None)
    if keyer is None:
        keyer = state.talent_person_key = person_key_from(state.settings)
    return keyer
