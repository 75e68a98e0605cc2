"""The portal's own settings (`SRDI_PORTAL_*`), beside the suite's `shared.settings.Settings`."""
from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import Settings

# The services whose APIs the portal calls (not shared.settings.SERVICES: the suite may grow).
PORTAL_SERVICES = ("registry", "awards", "talent", "finance", "parks", "outreach")


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SRDI_PORTAL_", extra="ignore")

    # Base URLs of the services; unset = http://{SRDI_HOST}:{SRDI_PORT_BASE + offset}.
    registry_url: str | None = None
    awards_url: str | None = None
    talent_url: str | None = None
    finance_url: str | None = None
    parks_url: str | None = None
    outreach_url: str | None = None
    timeout_s: float = 30.0
    # Session cookie: signed with this secret, else one derived from the suite's signing secret.
    session_secret: str | None = None
    cookie_secure: bool = False  # set true behind HTTPS (production)
    # The embedded default's role picker: on when SRDI_ENV=dev and the suite is bound to loopback.
    dev_login: bool = True
    # OpenID Connect single sign-on (Authlib), off by default.
    oidc_enabled: bool = False
    oidc_metadata_url: str | None = None  # https://idp.example/.well-known/openid-configuration
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scope: str = "openid profile"
    oidc_role_claim: str = "srdi_role"  # a claim the district's IdP sets to one of shared.auth.ROLES
    oidc_org_claim: str = "srdi_org"  # park id or bank code, for park and bank users
    oidc_name_claim: str = "name"
    # More financial institutions that sign in as `bank` ({"CODE": "名称"}, JSON), beside labels.BANK_LABELS.
    banks: dict[str, str] = {}

    def service_url(self, service: str, settings: Settings) -> str:
        url = getattr(self, f"{service}_url", None)
        return (url or f"http://{settings.host}:{settings.port(service)}").rstrip("/")

    def service_urls(self, settings: Settings) -> dict[str, str]:
        return {s: self.service_url(s, settings) for s in PORTAL_SERVICES}


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def dev_login_allowed(settings: Settings, portal: PortalSettings) -> bool:
    """The role picker exists only in the embedded default, bound to 127.0.0.1."""
    return portal.dev_login and settings.env == "dev" and settings.host in LOOPBACK
