"""Bearer tokens (JWT, HS256) carrying a role and, for banks and parks, an organisation."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request

from shared.errors import Problem
from shared.validators import uscc_error

ROLES = ("econ", "treasury", "talent", "finance", "park", "bank", "auditor", "platform", "enterprise")
# Outside organisations: every object they touch must be theirs. An enterprise liaison's org is
# its enterprise's USCC.
ORG_ROLES = ("park", "bank", "enterprise")
ISSUER = "srdi"


@dataclass(frozen=True)
class Principal:
    role: str
    org: str | None
    sub: str

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.org or '-'}:{self.sub}"


def issue_token(secret: str, role: str, org: str | None = None, ttl_hours: int = 12,
                sub: str | None = None) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role in ORG_ROLES and not org:
        raise ValueError(f"role {role} needs --org")
    if role == "enterprise" and uscc_error(org):
        raise ValueError(f"role enterprise needs --org USCC: {uscc_error(org)}")
    now = int(time.time())
    # `sub` is the user's stable id: every token of one user carries the same, so what belongs to
    # the caller (an Idempotency-Key, audit entries) survives a new token. Without a user named,
    # the token is the role's (and organisation's) shared account.
    claims = {"iss": ISSUER, "sub": sub or role, "role": role,
              "iat": now, "exp": now + ttl_hours * 3600}
    if org:
        claims["org"] = org
    return jwt.encode(claims, secret, algorithm="HS256")


class Verifier:
    """Verifies tokens; a verified token is remembered until it expires (the read path is hot)."""

    def __init__(self, secret: str, cache_size: int = 4096):
        self.secret = secret
        self._cache: dict[str, tuple[Principal, int]] = {}
        self._cache_size = cache_size

    def verify(self, token: str) -> Principal:
        hit = self._cache.get(token)
        if hit and hit[1] > time.time():
            return hit[0]
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], issuer=ISSUER,
                                options={"require": ["exp", "role", "sub"]})
        except jwt.PyJWTError as e:
            raise Problem(401, "unauthenticated", "令牌无效或已过期", f"Invalid or expired token: {e}") from e
        role = claims.get("role")
        if role not in ROLES or (role in ORG_ROLES and not claims.get("org")):
            raise Problem(401, "unauthenticated", "令牌中的角色无效", "The token's role is not valid")
        principal = Principal(role, claims.get("org"), str(claims["sub"]))
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[token] = (principal, int(claims["exp"]))
        return principal


def principal_from(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "unauthenticated", "缺少 Bearer 令牌", "A Bearer token is required")
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

