"""Service-list use cases. Every answer is derived from the registry's record (shared.projection) on
the day asked, with the threshold's dated history (rules.listing_on). `service_list_entry` is a cache:
it pages the list by USCC, remembers when finance recorded a change (the sync view) and what was last
announced. Use cases write through the caller's session and never commit."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from services.finance import events, parameters, rules
from services.finance.service_list import repository
from services.finance.tables import ServiceListEntry
from shared import audit, projection
from shared.auth import Principal
from shared.contracts.registry import EnterpriseEvent, EnterpriseRecord
from shared.db import utcnow
from shared.errors import not_found
from shared.sheets import Sheet, safe_cell, xlsx
from shared.tiers import TIER_ZH, rank

SHOWN = ("name", "tier", "listed", "since", "removed_on", "removed_reason")  # what a bank's copy of an entry holds
EXPORT_PAGE = 1000


def thresholds(s: Session) -> list[tuple[dt.date, str]]:
    """The list's threshold, (effective_from, tier) by date."""
    history = [(since, str(value)) for since, value in parameters.history(s, parameters.MIN_TIER)]
    if not history:
        raise parameters.missing(parameters.MIN_TIER)
    return history


def threshold_versions(s: Session) -> dict[int, dt.date]:
    """Every version of the list's threshold: row id -> effective date."""
    return parameters.versions(s, parameters.MIN_TIER)


def threshold_added(before: dict[int, dt.date] | None, now: dict[int, dt.date], today: dt.date) -> bool:
    """Whether a threshold version added since `before` (ids not seen then) is in force today: one
    dated today or earlier (even back-dated) makes every entry be re-judged, as the list's judging
    dates cannot tell which entries it touches."""
    return before is not None and any(i not in before and since <= today for i, since in now.items())


def listing_of(record: EnterpriseRecord, history: list[tuple[dt.date, str]], on: dt.date) -> rules.Listing:
    """The entry on `on`, from the titles, the threshold and whether the enterprise has left."""
    return rules.listing_on(record.certifications, history, on, rules.departure(record))


def item(record: EnterpriseRecord, listing: rules.Listing, with_removal: bool = False) -> dict:
    """An entry as the list shows it; `with_removal`: with whether it is listed and when it left."""
    doc = {"uscc": record.uscc, "name": record.name, "tier": listing.tier, "since": listing.since}
    if with_removal:
        doc |= {"listed": listing.listed, "removed_on": listing.removed_on, "removed_reason": listing.removed_reason}
    return doc


def withdrawn(listing: rules.Listing, entry: ServiceListEntry | None, record: EnterpriseRecord,
              history: list[tuple[dt.date, str]], on: dt.date) -> rules.Listing:
    """An enterprise the banks were told is on the list (the cached entry: listed, removed, or
    withdrawn already, which is the only way an entry holds a reason with no `removed_on`) that, by its
    corrected record, was never on it: off the list with the reason why (rules.withdrawal_reason:
    "voided" for a certification voided, "revoked" for a title revoked from its first day, ...), so
    that a bank's copy drops it (the sync view shows it)."""
    if listing.since is not None or entry is None:
        return listing
    if entry.listed or entry.removed_on or entry.removed_reason:
        why = rules.withdrawal_reason(record.certifications, history, on, rules.departure(record))
        return dataclasses.replace(listing, removed_reason=why)
    return listing


def _jsonable(d: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in d.items()}


def _refresh(s: Session, entry: ServiceListEntry | None, record: EnterpriseRecord, today: dt.date, actor: str,
             history: list[tuple[dt.date, str]]) -> bool:
    """Bring the enterprise's cached entry to what the record says today. A change of what a bank
    sees is dated (changed_on, for the sync view), audited and announced. Returns whether it changed."""
    listing = withdrawn(listing_of(record, history, today), entry, record, history, today)
    after = {"name": record.name, "tier": listing.tier, "listed": listing.listed, "since": listing.since,
             "removed_on": listing.removed_on, "removed_reason": listing.removed_reason}
    if entry is None:
        entry = ServiceListEntry(uscc=record.uscc, changed_on=today, changed_at=utcnow(), **after)
        repository.add(s, entry)
        before = None
    else:
        before = {k: getattr(entry, k) for k in SHOWN}
    entry.version, entry.judged_on = record.version, today
    entry.peak_rank = rules.peak_rank(record.certifications)
    if before == after:
        return False
    for k, v in after.items():
        setattr(entry, k, v)
    entry.changed_on, entry.changed_at = today, utcnow()  # written at the batch's flush, with its neighbours'
    # Announce what a bank can see: an enterprise that is, or was, on the list (not an innovative SME's tier).
    if (before and (before["listed"] or before["removed_on"])) or listing.listed or listing.removed_on:
        events.service_list_changed(s, entry)
        audit.record(s, actor, "service_list.change", "service_list_entry", record.uscc,
                     before and _jsonable(before), _jsonable(after))
    return True


def read_ahead(s: Session, batch) -> None:
    """A consumer's `before_batch`: the entries of the enterprises its registry events are about."""
    repository.read_ahead(s, {data.record.uscc for _, data in batch if isinstance(data, EnterpriseEvent)})


def record_arrived(s: Session, record: EnterpriseRecord, actor: str, today: dt.date) -> None:
    """A registry event's record: keep it when it is newer than the one held (a stale or repeated one
    changes nothing, whatever order they arrive in) and refresh the enterprise's cached entry."""
    # remember() locks the enterprise's record row: replicas handling two of its events take turns.
    before = projection.remember(s, record)
    entry = repository.locked(s, record.uscc)
    if before is record and entry is not None:
        return
    newest = record if before is not record else projection.record_of(s, record.uscc)  # kept: no second read
    _refresh(s, entry, newest, today, actor, thresholds(s))


def _floor(history: list[tuple[dt.date, str]], tier: str | None = None) -> int:
    """The lowest rank that can ever be on the list (the lowest threshold in the history), or that of `tier`."""
    return max(min(rank(value) for _, value in history), rank(tier) if tier else 0)


def rebuild_service_list(s: Session, today: dt.date, actor: str = "system:service-list",
                         only_stale: bool = False) -> int:
    """Re-judge the cached entries that could be on the list: all of them, or (`only_stale`) those not
    judged on `today` yet. Returns how many changed (each one announced)."""
    history = thresholds(s)
    entries = repository.to_judge(s, _floor(history), today if only_stale else None)
    held = projection.records(s, [e.uscc for e in entries])
    return sum(_refresh(s, e, held[e.uscc], today, actor, history) for e in entries if e.uscc in held)


def service_list(s: Session, who: Principal | None, limit: int, after: str | None, changed_since: dt.date | None,
                 tier: str | None, on: dt.date) -> list[tuple[EnterpriseRecord, rules.Listing]]:
    """Enterprises on the list on `on`, by USCC (limit + 1 of them, for the next cursor). With
    `changed_since`, every enterprise whose listing changed on or after that date — by the date the
    change took effect (rules.Listing.changed_on: joining, leaving, the tier on the list) or the date
    finance recorded it — including those removed, so that a bank's copy can be brought up to date;
    with `tier` as well, those at that tier now and those that were on the list at it in their current
    or last period (rules.tiers_listed): a removal from a tier reaches a bank's copy of that tier.
    The cache only says which enterprises can be on the list at all; each is judged from its record."""
    history = thresholds(s)
    out: list[tuple[EnterpriseRecord, rules.Listing]] = []
    while len(out) <= limit:
        rows = repository.candidates(s, who, _floor(history, tier), after)
        held = projection.records(s, [entry.uscc for entry in rows])
        for entry in rows:
            record = held.get(entry.uscc)
            if record is None:
                continue
            listing = listing_of(record, history, on)
            if changed_since is None:
                shown = listing.listed and (not tier or listing.tier == tier)
            elif listing.since is None:  # never on the list by its record: shown only when withdrawn
                listing = withdrawn(listing, entry, record, history, on)
                shown = listing.removed_reason is not None and entry.changed_on >= changed_since
            else:
                shown = entry.changed_on >= changed_since or (listing.changed_on and listing.changed_on >= changed_since)
            if shown and tier and changed_since is not None:
                # a bank's copy of one tier: what is at it now, and what was on the list at it and left
                # it (removed, withdrawn, or on the list at another tier now), so that its copy drops it
                shown = listing.tier == tier or tier in rules.tiers_listed(record.certifications, listing, on,
                                                                           _floor(history))
            if shown:
                out.append((record, listing))
                if len(out) > limit:
                    break
        if len(rows) < repository.PAGE_SCAN:
            break
        after = rows[-1].uscc
    return out


def service_list_entry(s: Session, uscc: str, on: dt.date) -> dict:
    """One enterprise's entry on `on`: listed, or removed (404 when it never was on the list by then)."""
    record = projection.record_of(s, uscc)
    listing = record and listing_of(record, thresholds(s), on)
    if not listing or listing.since is None:
        raise not_found("服务名单企业", "Service-list enterprise", uscc)
    return item(record, listing, with_removal=True)


def on_service_list(s: Session, uscc: str, on: dt.date) -> bool:
    record = projection.record_of(s, uscc)
    return record is not None and listing_of(record, thresholds(s), on).listed


def _export_rows(s: Session, who: Principal, changed_since: dt.date | None, tier: str | None, on: dt.date):
    after = None
    while True:
        page = service_list(s, who, EXPORT_PAGE, after, changed_since, tier, on)
        for record, x in page[:EXPORT_PAGE]:
            # A name a spreadsheet would run as a formula is shown behind a space (as before shared.sheets).
            yield [record.uscc, safe_cell(record.name, " "), TIER_ZH.get(x.tier, x.tier), x.tier,
                   x.since and x.since.isoformat(), "是" if x.listed else "否", x.removed_on and x.removed_on.isoformat(),
                   x.removed_reason]
        if len(page) <= EXPORT_PAGE:
            return
        after = page[EXPORT_PAGE - 1][0].uscc


def service_list_xlsx(s: Session, who: Principal, changed_since: dt.date | None, tier: str | None,
                      on: dt.date) -> bytes:
    """The service list on `on` (or, with `changed_since`, the sync view incl. removals) as one XLSX sheet."""
    return xlsx(Sheet("专精特新企业服务名单",
                      ["统一社会信用代码", "企业名称", "层级", "层级代码", "列入名单日期", "是否在名单", "移出日期", "移出原因"],
                      _export_rows(s, who, changed_since, tier, on), widths=(22, 40, 30, 24, 14, 10, 14, 12)))
