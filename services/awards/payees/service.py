"""Payees use cases: the treasury sets a payee's bank account (encrypted at rest, audited masked); the
bureau, the treasury and the auditor read payees masked. The account number in full leaves only in
the payment system's file (payments.service.export). They write through the session, never commit.

Key: SRDI_PAYEE_KEY (shared.settings), one or more Fernet keys separated by commas (the first
encrypts, all decrypt: a key can be rotated). Without it, in the embedded default (SRDI_ENV=dev)
only, a key derived from the suite's signing secret (HKDF-SHA256); outside dev 503 `payee-key-missing`."""
from __future__ import annotations

import base64
import logging

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from services.awards.payees import repository, rules
from services.awards.payees.schemas import PayeePublic
from services.awards.projection import intermediaries
from services.awards.tables import Payee
from shared import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, field_error, not_found
from shared.settings import Settings

log = logging.getLogger(__name__)


class AccountCipher:
    def __init__(self, keys: list[bytes]):
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, account: str) -> str:
        return self._fernet.encrypt(account.encode()).decode("ascii")

    def open(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode()


def cipher_from(settings: Settings) -> AccountCipher:
    configured = [k.strip().encode() for k in (settings.payee_key or "").split(",") if k.strip()]
    if configured:
        return AccountCipher(configured)
    if settings.env != "dev":
        log.warning("SRDI_PAYEE_KEY is not set: payees' bank accounts cannot be read or written")
        raise Problem(503, "payee-key-missing", "未配置收款账号加密密钥，暂不能处理银行账号，请联系系统运维",
                      "SRDI_PAYEE_KEY must be set outside the embedded default")
    log.warning("SRDI_PAYEE_KEY is not set: bank accounts are encrypted with a key derived from the signing "
                "secret (development only)")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"srdi-awards",
               info=b"payee-account-fernet-v1").derive(settings.signing_secret.encode())
    return AccountCipher([base64.urlsafe_b64encode(key)])


def cipher_of(state) -> AccountCipher:
    """The app's cipher, built once (`state` is the FastAPI app.state with .settings)."""
    cipher = getattr(state, "payee_cipher", None)
    if cipher is None:
        cipher = state.payee_cipher = cipher_from(state.settings)
    return cipher


def _masked(p: Payee | None) -> dict | None:
    return None if p is None else {"name": p.name, "bank_name": p.bank_name, "account": p.account_mask}


def put(s: Session, who: Principal, cipher: AccountCipher, kind: str, ref: str, name: str, bank_name: str,
        account: str) -> Payee:
    """Create or update the payee of (kind, ref); audited with the account masked before and after. An
    intermediary must be in the directory parks announces, under the name the award carries (422
    `unknown-intermediary`): the payee records its id."""
    digits = rules.normal_account(account)
    if digits is None:
        raise field_error("account", "银行账号须为 8–32 位数字", "an account number is 8 to 32 digits", "invalid-account")
    directory_id = None
    if kind == "intermediary":
        known = intermediaries.named(s, ref)
        if known is None:
            raise field_error("ref", f"收款方“{ref}”不在中介机构名录中：请先在中介机构名录中登记（名称须与奖励所载一致）",
                              f"the intermediary directory has no '{ref}': register it in the parks service's "
                              "directory first, under the name the award carries", "unknown-intermediary")
        directory_id = known.id
    p = repository.of(s, kind, ref, lock=True)
    before = _masked(p)
    if p is None:
        p = Payee(kind=kind, ref=ref, name=name, bank_name=bank_name, account_cipher=cipher.seal(digits),
                  account_mask=rules.mask(digits), intermediary_id=directory_id, updated_by=who.actor)
        s.add(p)
    else:
        if (p.name, p.bank_name, cipher.open(p.account_cipher), p.intermediary_id) == (name, bank_name, digits,
                                                                                        directory_id):
            return p  # the same again: nothing written
        p.name, p.bank_name, p.updated_by, p.updated_at = name, bank_name, who.actor, utcnow()
        p.intermediary_id = directory_id
        p.account_cipher, p.account_mask = cipher.seal(digits), rules.mask(digits)
    s.flush()
    audit.record(s, who.actor, "payee.set", "payee", str(p.id), before,
                 {"kind": kind, "ref": ref, **_masked(p), **({"intermediary_id": directory_id} if directory_id else {})})
    return p


def public(p: Payee) -> PayeePublic:
    return PayeePublic(id=p.id, kind=p.kind, ref=p.ref, name=p.name, bank_name=p.bank_name,
                       account_masked=p.account_mask, intermediary_id=p.intermediary_id, updated_by=p.updated_by,
                       updated_at=p.updated_at)


def get(s: Session, payee_id: int) -> PayeePublic:
    p = repository.one(s, payee_id)
    if p is None:
        raise not_found("收款方", "Payee", str(payee_id))
    return public(p)
