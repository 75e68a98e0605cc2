"""Resident ID numbers at rest: Fernet tokens (AES-128-CBC + HMAC-SHA256), never plain text.

The key: `SRDI_TALENT_KEY`, one or more Fernet keys separated by commas (the first encrypts,
all decrypt, so a key can be rotated). Without it, in the embedded default (SRDI_ENV=dev) only,
a key is derived from the suite's signing secret with HKDF-SHA256; outside dev the variable is
required, because rotating the token secret must not make stored ID numbers unreadable.
"""
from __future__ import annotations

import base64
import os

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.errors import Problem
from shared.settings import Settings

ENV_KEY = "SRDI_TALENT_KEY"


class IdCipher:
    def __init__(self, keys: list[bytes]):
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, number: str) -> str:
        return self._fernet.encrypt(number.encode()).decode("ascii")

    def open(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode()


def derived_key(secret: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"srdi-talent",
               info=b"resident-id-fernet-v1").derive(secret.encode())
    return base64.urlsafe_b64encode(raw)


def cipher_from(settings: Settings, environ=os.environ) -> IdCipher:
    configured = [k.strip().encode() for k in environ.get(ENV_KEY, "").split(",") if k.strip()]
    if configured:
        return IdCipher(configured)
    if settings.env != "dev":
        raise Problem(503, "talent-key-missing", f"未配置身份证号加密密钥（{ENV_KEY}）",
                      f"{ENV_KEY} must be set outside the embedded default")
    return IdCipher([derived_key(settings.signing_secret)])


def cipher_of(state) -> IdCipher:
    """The app's cipher, built once (`state` is the FastAPI app.state with .settings)."""
    cipher = getattr(state, "talent_cipher", None)
    if cipher is None:
        cipher = state.talent_cipher = cipher_from(state.settings)
    return cipher
