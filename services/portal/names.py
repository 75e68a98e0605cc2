"""Names for the codes a page shows: enterprises by USCC, parks by id, intermediaries, banks.

A page gathers the USCCs it shows and asks once per request: the registry's batch lookup
(`GET /enterprises?uscc=…`, 100 codes a call, concurrently). Parks come from one list call.

Names are read with the portal's directory token (role `auditor`, read-only, sub `portal-directory`):
a treasury liaison paying a park or an intermediary must see its name, though the treasury may not
read the parks service. Only names reach the page. A name that cannot be had (a service down, an
unknown code) leaves the code on the page; it never fails the page.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

import structlog

from shared.auth import issue_token

from services.portal.backend import Api, ServiceError
from services.portal.labels import BANK_LABELS
from shared.validators import uscc_error

BATCH = 100  # USCCs per call of the registry's batch lookup (GET /enterprises?uscc=…)
DIRECTORY_SUB = "portal-directory"
log = structlog.get_logger()


class Directory:
    """The directory token, minted by the portal (the suite's issuer) and renewed before it expires."""

    def __init__(self, settings):
        self.settings, self.token, self.until = settings, "", 0.0

    def current(self) -> str:
        if time.monotonic() > self.until:
            hours = min(1, self.settings.token_max_lifetime_hours)
            self.token = issue_token(self.settings.token_signing_key, "auditor", None, hours, sub=DIRECTORY_SUB,
                                     max_hours=self.settings.token_max_lifetime_hours)
            self.until = time.monotonic() + hours * 3600 - 300
        return self.token


class Names:
    """One request's names (cached for the request: `request.state.names`)."""

    def __init__(self, api: Api):
        self.api = api
        self.enterprises: dict[str, str] = {}
        self.parks: dict[str, str] = {}
        self.intermediaries: dict[str, str] = {}
        self._parks_loaded = False
        self.parks_known = False  # the parks service answered (an empty list then means no parks)

    async def load(self, usccs: Iterable[str | None] = (), parks: bool = False,
                   intermediaries: Iterable[str | None] = ()) -> Names:
        await asyncio.gather(self._enterprises(usccs), self._parks() if parks else _nothing(),
                             self._intermediaries(intermediaries))
        return self

    async def _enterprises(self, usccs: Iterable[str | None]) -> None:
        wanted = sorted({u for u in usccs if u and u not in self.enterprises and not uscc_error(u)})
        if not wanted:
            return
        # The registry's batch lookup, 100 codes a call; a code it does not know is "" (so not asked
        # again), a refusal leaves them out (the page keeps the codes; the operators see why).
        async def batch(chunk: list[str]) -> None:
            try:
                page = await self.api.get("registry", "/enterprises", uscc=chunk, limit=BATCH)
            except ServiceError as e:
                log.warning("portal names unavailable", service="registry", status=e.status)
                return
            found = {e["uscc"]: e.get("name") or "" for e in page["items"]}
            self.enterprises.update({u: found.get(u, "") for u in chunk})
        await asyncio.gather(*(batch(wanted[i:i + BATCH]) for i in range(0, len(wanted), BATCH)))

    async def _parks(self) -> None:
        if self._parks_loaded:
            return
        self._parks_loaded = True
        try:
            for p in await self.api.all("parks", "/parks", cap=2000):
                self.parks[p["id"]] = p.get("name") or ""
            self.parks_known = True
        except ServiceError as e:
            log.warning("portal names unavailable", service="parks", status=e.status)

    async def _intermediaries(self, ids: Iterable[str | None]) -> None:
        wanted = {str(i) for i in ids if i and str(i).isdigit() and str(i) not in self.intermediaries}

        async def one(i: str) -> None:
            try:
                self.intermediaries[i] = (await self.api.get("parks", f"/intermediaries/{i}")).get("name") or ""
            except ServiceError:
                self.intermediaries[i] = ""
        await asyncio.gather(*(one(i) for i in sorted(wanted)[:50]))

    # What templates call.
    def ent(self, uscc: str | None) -> str:
        return self.enterprises.get(uscc or "", "")

    def park(self, park_id: str | None) -> str:
        """A park's name; its id when the park is unknown (never blank for an id)."""
        return self.parks.get(park_id or "", "") or (park_id or "")

    def bank(self, code: str | None) -> str:
        return bank_name(code)

    def payee(self, award: dict) -> str:
        """Who an award pays, by name: the enterprise, the park or the intermediary."""
        kind, payee = award.get("payee_type") or "enterprise", str(award.get("payee") or "")
        if kind == "park":
            return self.park(payee)
        if kind == "intermediary":
            return self.intermediaries.get(payee) or payee
        if kind in ("bank", "guarantor"):  # a compensation's recipient: a financial institution's code
            return bank_name(payee)
        return self.ent(payee) or payee


def bank_name(code: str | None) -> str:
    """A bank's (or guarantor's, insurer's) name from the portal's list; an unlisted code as it is."""
    return BANK_LABELS.get((code or "").upper(), code or "—")


async def _nothing() -> None:
    return None


def names_of(request) -> Names:
    """This request's names, read with the directory token."""
    names = getattr(request.state, "names", None)
    if names is None:
        app = request.app.state
        names = request.state.names = Names(app.backend().as_user(app.directory.current()))
    return names
