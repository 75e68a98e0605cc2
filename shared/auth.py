"""Bearer tokens: EdDSA (Ed25519) JWTs carrying a role, the user's stable id and, for outside
organisations, their organisation.

One issuer holds the private key (the portal, and `srdi token issue` on an operator's machine); the
services hold public keys only, so a compromised service cannot mint a token for any role. Every
token names its key in its header (`kid`: the key's RFC 7638 JWK thumbprint, computed from the key
itself, never from a file name), and a service accepts every key of its set
(SRDI_JWT_PUBLIC_KEYS): a new key is rolled out beside the old one and the old one removed once its
last token has expired. A token lives at most the maximum lifetime (`exp - iat`; `iat` required),
and its organisation must be of its role's kind (a park id, a bank code, a valid USCC; none for the
district's own roles).
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, Request

from shared import townships
from shared.errors import Problem
from shared.validators import uscc_error

ROLES = ("econ", "treasury", "talent", "finance", "park", "bank", "auditor", "platform", "enterprise", "township")
# Outside organisations: every object they touch must be theirs. An enterprise liaison's org is
# its enterprise's USCC; a township or street office's (乡镇/街道) its canonical name on the district's
# fixed list (shared.townships), e.g. 良乡镇.
ORG_ROLES = ("park", "bank", "enterprise", "township")
ISSUER = "srdi"
ALGORITHM = "EdDSA"  # Ed25519 only: a fixed-strength key, no size or curve to get wrong
MAX_LIFETIME_HOURS = 24  # the default of SRDI_TOKEN_MAX_LIFETIME_HOURS
CLOCK_SKEW_S = 60  # the issuer's and a service's clocks may differ this much (iat, exp)
# A park id ("park-" + 8 hex from the parks service, or the registry's short codes) and a bank code
# (finance's OrgCode): letters, digits, '-', '_', '.', at most 64; they go into paths and queries.
ORG_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
# The files a key folder holds (`srdi keys generate`, the dev data folder).
SIGNING_FILE = "jwt-signing.pem"
PUBLIC_DIR = "jwt-public"
_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.+?-----END \1-----", re.S)


class KeyConfigError(RuntimeError):
    """A missing, unreadable or unsuitable key: the process refuses to start and says which."""


@dataclass(frozen=True)
class Principal:
    role: str
    org: str | None
    sub: str

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.org or '-'}:{self.sub}"


def org_error(role: str, org) -> str | None:
    """Why `org` cannot be the organisation of a token for `role`, or None when it fits."""
    if role == "enterprise":
        reason = uscc_error(org) if org else "missing"
        return f"role enterprise needs --org USCC (the enterprise's): {reason}" if reason else None
    if role == "township":
        unit = townships.canonical(org) if isinstance(org, str) else None
        return None if unit is not None and unit.name == org else (
            "role township needs --org as a Fangshan township's name on the fixed list (e.g. 良乡镇)")
    if role in ORG_ROLES:
        if not org:
            return f"role {role} needs --org"
        if not isinstance(org, str) or not ORG_CODE.fullmatch(org):
            what = "park id" if role == "park" else "bank code"
            return f"role {role} needs --org as a {what}: 1-64 letters, digits, '-', '_' or '.'"
        return None
    return None if org is None else f"role {role} carries no organisation (--org)"


# -- keys ------------------------------------------------------------------------------------------
def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def kid_of(public: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint: the same key always has the same id, whoever names its file."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(jwk.encode()).digest())


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass(frozen=True)
class SigningKey:
    """The issuer's Ed25519 private key and its key id."""
    private: Ed25519PrivateKey
    kid: str

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> SigningKey:
        return cls(private, kid_of(private.public_key()))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls.of(Ed25519PrivateKey.generate())

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def pem(self) -> str:
        return self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode()


def _read(spec: str, variable: str) -> tuple[str, str]:
    """PEM text as given, or the text of the file it names; with a description for messages."""
    if "-----BEGIN" in spec:
        return spec, variable
    path = Path(spec.strip()).expanduser()
    try:
        return path.read_text(), f"{variable} ({path})"
    except (OSError, ValueError) as e:
        # Name the file only when it looks like one: a secret pasted by mistake is not echoed.
        named = f" {path}" if ("/" in spec or spec.strip().endswith(".pem")) and "\n" not in spec else ""
        raise KeyConfigError(f"{variable}: neither PEM text nor a readable file{named}: "
                             f"{getattr(e, 'strerror', None) or type(e).__name__}") from e


@functools.lru_cache(maxsize=16)
def load_signing_key(spec: str, variable: str = "SRDI_JWT_PRIVATE_KEY") -> SigningKey:
    """The issuer's key from PEM text or a PEM file (PKCS#8, unencrypted): Ed25519 only."""
    text, where = _read(spec, variable)
    blocks = [m.group(0) for m in _PEM.finditer(text) if "PRIVATE KEY" in m.group(1)]
    if len(blocks) != 1:
        raise KeyConfigError(f"{where}: one PEM private key expected, found {len(blocks)}")
    try:
        key = serialization.load_pem_private_key(blocks[0].encode(), password=None)
    except (ValueError, TypeError) as e:
        raise KeyConfigError(f"{where}: not a readable unencrypted private key: {e}") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyConfigError(f"{where}: an Ed25519 key is required (EdDSA), not {type(key).__name__}; "
                             "generate one with `srdi keys generate`")
    return SigningKey.of(key)


def _public_keys_in(text: str, where: str) -> list[Ed25519PublicKey]:
    keys = []
    for m in _PEM.finditer(text):
        if "PRIVATE" in m.group(1):  # the services must never be handed the means to sign
            raise KeyConfigError(f"{where} holds a private key: give the services the public key only")
        try:
            key = serialization.load_pem_public_key(m.group(0).encode())
        except (ValueError, TypeError) as e:
            raise KeyConfigError(f"{where}: not a readable public key: {e}") from e
        if not isinstance(key, Ed25519PublicKey):
            raise KeyConfigError(f"{where}: only Ed25519 public keys are accepted (EdDSA), not {type(key).__name__}")
        keys.append(key)
    return keys


def load_public_keys(spec: str, variable: str = "SRDI_JWT_PUBLIC_KEYS") -> dict[str, Ed25519PublicKey]:
    """The keys a service verifies with, by key id. `spec` is PEM text (one or more public keys), or
    paths separated by commas or newlines: a file holds PEM public keys; a folder, every `*.pem` in
    it (a mounted ConfigMap or Secret). Several keys verify at once: a key rotation's overlap."""
    found: list[Ed25519PublicKey] = []
    if "-----BEGIN" in spec:
        found = _public_keys_in(spec, variable)
    else:
        for item in filter(None, (p.strip() for p in re.split(r"[,\n]", spec))):
            path = Path(item).expanduser()
            files = sorted(path.glob("*.pem")) if path.is_dir() else [path]
            for f in files:
                text, where = _read(str(f), variable)
                found += _public_keys_in(text, where)
    if not found:
        raise KeyConfigError(f"{variable}: no Ed25519 public key found in {spec.strip()[:200]!r}")
    return {kid_of(k): k for k in found}


def write_private(path: Path, text: str) -> None:
    """A new file readable by its owner only from the moment it exists (0600 at creation: no
    window in which another user could open it, no chmod afterwards); refuses to overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def write_key_pair(folder: Path, key: SigningKey | None = None) -> SigningKey:
    """`folder/jwt-signing.pem` (the issuer's) and `folder/jwt-public/<kid>.pem` (the services'),
    every file 0600 and every folder 0700 from creation."""
    key = key or SigningKey.generate()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    (folder / PUBLIC_DIR).mkdir(mode=0o700, exist_ok=True)
    write_private(folder / SIGNING_FILE, key.pem())
    write_private(folder / PUBLIC_DIR / f"{key.kid}.pem", public_pem(key.public))
    return key


def dev_keys(data_dir: Path) -> Path:
    """The embedded default's key pair in `data_dir/keys/`, generated on first use. The pair is
    written into a private temporary folder renamed into place, so processes racing to create it
    all end up reading the one complete pair."""
    final = data_dir / "keys"
    if (final / SIGNING_FILE).is_file():
        return final
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = data_dir / f".keys.{os.getpid()}.{secrets.token_hex(4)}"
    os.mkdir(tmp, 0o700)
    try:
        write_key_pair(tmp)
        try:
            os.rename(tmp, final)  # atomic; fails when another process's pair is already there
        except OSError:
            if not (final / SIGNING_FILE).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


# -- tokens ----------------------------------------------------------------------------------------
def issue_token(key: SigningKey | str, role: str, org: str | None = None, ttl_hours: int = 12,
                sub: str | None = None, max_hours: int = MAX_LIFETIME_HOURS) -> str:
    """A token signed with the issuer's private key (a SigningKey, or its PEM text or file)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if reason := org_error(role, org):
        raise ValueError(reason)
    if not 0 < ttl_hours <= max_hours:
        raise ValueError(f"a token lives between 1 and {max_hours} hours (the maximum lifetime); {ttl_hours} asked")
    if not isinstance(key, SigningKey):
        key = load_signing_key(key)
    now = int(time.time())
    # `sub` is the user's stable id: every token of one user carries the same, so what belongs to
    # the caller (an Idempotency-Key, audit entries) survives a new token. Without a user named,
    # the token is the role's (and organisation's) shared account.
    claims = {"iss": ISSUER, "sub": sub or role, "role": role,
              "iat": now, "exp": now + int(ttl_hours * 3600)}
    if org:
        claims["org"] = org
    return jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})


def _refused(zh: str, en: str) -> Problem:
    return Problem(401, "unauthenticated", zh, en)


class Verifier:
    """Verifies tokens with public keys only; a verified token is remembered until it expires (the
    read path is hot)."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey], max_lifetime_hours: int = MAX_LIFETIME_HOURS,
                 cache_size: int = 4096):
        if not keys:
            raise KeyConfigError("no public key to verify tokens with")
        self.keys = dict(keys)
        self.max_lifetime_s = max_lifetime_hours * 3600
        self._cache: dict[str, tuple[Principal, int]] = {}
        self._cache_size = cache_size

    @classmethod
    def from_settings(cls, settings) -> Verifier:
        """A service's verifier; refuses to start (KeyConfigError) without a usable public key, with the
        issuer's private key in a production service, or without the server secret."""
        if settings.env != "dev" and settings.jwt_private_key:
            raise KeyConfigError("SRDI_JWT_PRIVATE_KEY is set for a service: only the issuer (the portal, "
                                 "`srdi token issue`) may hold it; give the services SRDI_JWT_PUBLIC_KEYS")
        keys = settings.token_public_keys
        _ = settings.signing_secret  # Idempotency-Key fingerprints: refused now, not at the first keyed POST
        return cls(keys, settings.token_max_lifetime_hours)

    def verify(self, token: str) -> Principal:
        hit = self._cache.get(token)
        if hit and hit[1] > time.time():
            return hit[0]
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as e:
            raise _refused("令牌无效", f"Invalid token: {e}") from e
        key = self.keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise _refused("令牌的签名密钥不被本服务接受", "The token's signing key (kid) is not one this service accepts")
        try:  # EdDSA only: an HS256 token "signed" with a public key, or alg none, never passes
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER, leeway=CLOCK_SKEW_S,
                                options={"require": ["exp", "iat", "iss", "role", "sub"]})
        except jwt.PyJWTError as e:
            raise _refused("令牌无效或已过期", f"Invalid or expired token: {e}") from e
        lifetime = int(claims["exp"]) - int(claims["iat"])
        if lifetime > self.max_lifetime_s:
            raise _refused(f"令牌有效期超过上限（{self.max_lifetime_s // 3600} 小时）",
                           f"The token's lifetime is beyond the maximum ({self.max_lifetime_s // 3600} h)")
        role, org = claims.get("role"), claims.get("org")
        if role not in ROLES:
            raise _refused("令牌中的角色无效", "The token's role is not valid")
        if reason := org_error(role, org):
            raise _refused("令牌中的机构与角色不符", f"The token's organisation does not fit its role: {reason}")
        principal = Principal(role, org, str(claims["sub"]))
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[token] = (principal, int(claims["exp"]))
        return principal


def principal_from(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "unauthenticated", "缺少访问令牌（Bearer）", "A Bearer token is required")
    return request.app.state.verifier.verify(token.strip())


def require(*roles: str):
    """A dependency that admits only the given roles (auditor is added to reads by the caller)."""
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Principal:  # async: no thread hop for a cached check
        principal = principal_from(request)
        if principal.role not in allowed:
            raise Problem(403, "forbidden", f"角色 {principal.role} 无权执行此操作",
                          f"Role {principal.role} may not do this; allowed: {', '.join(sorted(allowed))}")
        return principal

    return Depends(dependency)


def Caller(*roles: str):  # noqa: N802 - reads like a type in route signatures
    """`caller: Caller("econ", "auditor")` in a route: the authenticated principal, role-checked."""
    return Annotated[Principal, require(*roles)]
