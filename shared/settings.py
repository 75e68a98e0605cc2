"""Suite settings from `SRDI_*` environment variables (pydantic-settings)."""
from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("registry", "awards", "talent", "finance", "parks", "outreach")
# The shortest server secret (SRDI_JWT_SECRET) accepted: 32 characters of a token_urlsafe is 192 bits.
MIN_SECRET_CHARS = 32
# Port offsets from SRDI_PORT_BASE, as in API.md (outreach, added later, takes the next one).
PORT_OFFSETS = {"portal": 0, "registry": 1, "awards": 2, "talent": 3, "finance": 4, "parks": 5, "outreach": 6}


def available_services() -> tuple[str, ...]:
    """The services present in this checkout."""
    import importlib.util

    def present(name: str) -> bool:
        try:
            return importlib.util.find_spec(f"services.{name}.main") is not None
        except ModuleNotFoundError:  # not even the package
            return False

    return tuple(s for s in SERVICES if present(s))


class SettingsError(RuntimeError):
    """A setting the service cannot run without; raised at start, not on a first request."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SRDI_", extra="ignore")

    env: str = "dev"  # "dev" (embedded default) or "prod"
    data_dir: Path = Path(".srdi")
    host: str = "127.0.0.1"
    port_base: int = 8000
    # A URL template; "{service}" is replaced by the service name. Default: SQLite per service.
    database_url: str | None = None
    nats_url: str | None = None
    nats_port: int = 0  # embedded nats-server port; 0 = port_base + 222
    stream: str = "SRDI"
    stream_replicas: int = 1  # 3 on a NATS cluster (deploy/k8s)
    stream_duplicate_window_s: float = 120.0
    # The NATS client pings the server this often; two pings unanswered and it reconnects, so a hung
    # server shows in /readyz (nats: false) within about three intervals.
    nats_ping_interval_s: int = Field(5, ge=1)
    # The server's own secret, for HMACs only (Idempotency-Key fingerprints; talent's keys in dev);
    # tokens are not signed with it. Outside dev it must be set, at least 32 characters.
    jwt_secret: str | None = None
    # Tokens (EdDSA, Ed25519; shared.auth): the issuer's private key (the portal and
    # `srdi token issue` only; PEM text or a file) and the public keys the services verify with
    # (PEM text, or files/folders separated by commas: every key listed verifies, for a rotation).
    # In dev both default to the pair generated into the data folder (`keys/`).
    jwt_private_key: str | None = None
    jwt_public_keys: str | None = None
    token_ttl_hours: int = 12
    token_max_lifetime_hours: int = 24  # a token whose exp - iat is longer is refused
    relay_interval_s: float = 0.5
    # A relay that dies mid-batch leaves its rows to another after this; safe to keep short, as
    # JetStream drops a republished event (Nats-Msg-Id) within stream_duplicate_window_s.
    relay_lease_s: float = Field(5.0, gt=0)
    # Events a consumer fetches and handles in one transaction (a savepoint each when one fails); 1 =
    # one transaction per event, as before batches.
    consumer_batch: int = Field(50, ge=1, le=1000)
    dead_letter_after: int = 5  # a handler's own error this many times → a dead letter
    retry_backoff_max_s: float = 30.0  # the longest wait between retries of a transient fault
    stall_after_s: float = 60.0  # /readyz fails when the consumer or relay is stuck this long
    ack_wait_s: float = 30.0
    stream_max_age_days: int = 400  # the stream's retention (0: unlimited); the inbox is pruned past it
    expiry_sweep_s: float = 3600.0
    migrate_on_start: bool = True
    # Python's garbage collector (issue 15): what is alive once a service has started (modules,
    # routes, schemas) is frozen out of every later collection, and the first generation is collected
    # after this many new objects (Python's default 700): a full collection walked all of it and
    # stalled a handler for ~100 ms now and then. 0 leaves the collector as Python sets it.
    gc_threshold: int = Field(20_000, ge=0)
    background_jobs: bool = True  # the services' periodic jobs (expiry sweep, notice dispatch, …); off for drills
    sqlite_busy_timeout_ms: int = 30000  # how long a SQLite writer waits for the lock
    sqlite_checkpoint_every_s: float = Field(1.0, gt=0)  # the WAL checkpoint's interval, off the commits (shared.db)
    log_level: str = "INFO"
    # The municipal declaration platform (registry: published lists, district recommendations).
    municipal_platform_url: str | None = None
    municipal_platform_token: str | None = None
    # Request bodies (shared.limits): JSON bodies, and uploads (recognition lists).
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(64 * 1024 * 1024, ge=1024)
    # Talent's personal data (services/talent): the Fernet keys resident-id numbers are encrypted
    # with (comma-separated, newest first; a rotation keeps the old ones after it), and the key of
    # their keyed hash (at least 32 characters). Both required outside dev; in dev derived from
    # the signing secret.
    talent_key: str | None = None
    talent_hash_key: str | None = Field(None, min_length=MIN_SECRET_CHARS)
    # Awards' payees (services/awards/payees): the Fernet keys bank account numbers are encrypted with
    # (comma-separated, newest first). Outside dev, without it payees answer 503 `payee-key-missing`;
    # in dev derived from the signing secret.
    payee_key: str | None = None
    # Outreach's notice e-mail (SMTP) and the registry it screens notice targets against.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "srdi-notice@fangshan.gov.cn"
    smtp_timeout_s: float = 10.0
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    outreach_registry_url: str | None = None
    # Outreach's WeChat template messages (the official account's API) and SMS provider
    # (services/outreach/README.md, "Channels"); a channel missing its settings is "not configured".
    wechat_api_url: str = "https://api.weixin.qq.com"
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    wechat_template_id: str | None = None
    wechat_timeout_s: float = 10.0
    sms_api_url: str | None = None
    sms_api_key: str | None = None
    sms_template: str | None = None
    sms_timeout_s: float = 10.0

    def check(self, service: str) -> None:
        """Refuse to start (SettingsError) with a setting that would otherwise fail on the first
        request that needs it: outside dev, the server secret and a service's own keys."""
        missing = []
        if self.env != "dev":
            if not self.jwt_secret:
                missing.append("SRDI_JWT_SECRET")
            if service == "talent":
                missing += [name for name, value in (("SRDI_TALENT_KEY", self.talent_key),
                                                     ("SRDI_TALENT_HASH_KEY", self.talent_hash_key)) if not value]
        if missing:
            raise SettingsError(f"{service}: must be set outside the embedded default (SRDI_ENV=dev): "
                                + ", ".join(missing))
        self.signing_secret  # noqa: B018 - its length is checked when read

    def db_url(self, service: str) -> str:
        if self.database_url:
            return self.database_url.replace("{service}", service)
        return f"sqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def port(self, service: str) -> int:
        return self.port_base + PORT_OFFSETS[service]

    def embedded_nats_port(self) -> int:
        return self.nats_port or self.port_base + 222

    def resolved_nats_url(self) -> str:
        return self.nats_url or f"nats://127.0.0.1:{self.embedded_nats_port()}"

    def ensure_data_dir(self) -> Path:
        """The data folder, created readable by its owner only (0700)."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.data_dir

    @cached_property
    def signing_secret(self) -> str:
        """The server secret for HMACs (not for tokens): SRDI_JWT_SECRET, else generated once into
        the data folder (dev only), created 0600."""
        if self.jwt_secret:
            if len(self.jwt_secret) < MIN_SECRET_CHARS:
                raise RuntimeError(f"SRDI_JWT_SECRET is too short: at least {MIN_SECRET_CHARS} characters "
                                   f"(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)")
            return self.jwt_secret
        if self.env != "dev":
            raise RuntimeError("SRDI_JWT_SECRET must be set outside the embedded default (SRDI_ENV=dev)")
        path = self.data_dir / "jwt-secret"
        if not path.exists():
            from shared.auth import write_private

            self.ensure_data_dir()
            tmp = path.with_name(f".jwt-secret.{os.getpid()}.{secrets.token_hex(4)}")
            write_private(tmp, secrets.token_urlsafe(48))  # 0600 from creation, never chmod-ed
            try:  # link fails if another process won the race: everyone reads one secret
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text().strip()

    @cached_property
    def token_signing_key(self):
        """The issuer's Ed25519 key (shared.auth.SigningKey): SRDI_JWT_PRIVATE_KEY, else in dev the
        data folder's pair (generated on first use); refused outside dev when missing."""
        from shared.auth import SIGNING_FILE, KeyConfigError, dev_keys, load_signing_key

        if self.jwt_private_key:
            return load_signing_key(self.jwt_private_key)
        if self.env != "dev":
            raise KeyConfigError("SRDI_JWT_PRIVATE_KEY must be set outside the embedded default (SRDI_ENV=dev): "
                                 "the issuer's Ed25519 private key (`srdi keys generate`)")
        return load_signing_key(str(dev_keys(self.data_dir) / SIGNING_FILE))

    @cached_property
    def token_public_keys(self) -> dict:
        """The public keys tokens are verified with, by key id: SRDI_JWT_PUBLIC_KEYS, else in dev the
        data folder's pair (or the public half of SRDI_JWT_PRIVATE_KEY); refused outside dev when missing."""
        from shared.auth import PUBLIC_DIR, KeyConfigError, dev_keys, kid_of, load_public_keys

        if self.jwt_public_keys:
            return load_public_keys(self.jwt_public_keys)
        if self.env != "dev":
            raise KeyConfigError("SRDI_JWT_PUBLIC_KEYS must be set outside the embedded default (SRDI_ENV=dev): "
                                 "the Ed25519 public key(s) tokens are verified with (a folder of .pem files or "
                                 "a list); a service never holds the private key")
        if self.jwt_private_key:
            public = self.token_signing_key.public
            return {kid_of(public): public}
        return load_public_keys(str(dev_keys(self.data_dir) / PUBLIC_DIR))
