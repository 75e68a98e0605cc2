"""Suite settings from `SRDI_*` environment variables (pydantic-settings)."""
from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("registry", "awards", "talent", "finance", "parks", "outreach")
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
    jwt_secret: str | None = None
    token_ttl_hours: int = 12
    relay_interval_s: float = 0.5
    dead_letter_after: int = 5  # a handler's own error this many times → a dead letter
    retry_backoff_max_s: float = 30.0  # the longest wait between retries of a transient fault
    stall_after_s: float = 60.0  # /readyz fails when the consumer or relay is stuck this long
    ack_wait_s: float = 30.0
    stream_max_age_days: int = 400  # the stream's retention (0: unlimited); the inbox is pruned past it
    expiry_sweep_s: float = 3600.0
    migrate_on_start: bool = True
    background_jobs: bool = True  # the services' periodic jobs (expiry sweep, notice dispatch, …); off for drills
    sqlite_busy_timeout_ms: int = 30000  # how long a SQLite writer waits for the lock
    log_level: str = "INFO"
    # The municipal declaration platform (registry: published lists, district recommendations).
    municipal_platform_url: str | None = None
    municipal_platform_token: str | None = None

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

    @cached_property
    def signing_secret(self) -> str:
        """The token signing secret: SRDI_JWT_SECRET, else generated once into the data folder."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.env != "dev":
            raise RuntimeError("SRDI_JWT_SECRET must be set outside the embedded default (SRDI_ENV=dev)")
        path = self.data_dir / "jwt-secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".jwt-secret.{os.getpid()}")
            tmp.write_text(secrets.token_urlsafe(48))
            tmp.chmod(0o600)
            try:  # link fails if another process won the race: everyone reads one secret
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text().strip()
