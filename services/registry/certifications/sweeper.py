"""The expiry sweep: at start, then every SRDI_EXPIRY_SWEEP_S seconds (a background job of the app)."""
from services.registry.certifications import service
from shared.app import every
from shared.clock import today


def expire_due(app) -> None:
    """Demote enterprises whose titles lapse; one transaction per pass."""
    with app.state.db.transaction() as s:
        service.expire_due(s, today())


expiry_sweeper = every("expiry_sweeper", expire_due, lambda app: app.state.settings.expiry_sweep_s)
