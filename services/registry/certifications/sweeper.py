"""The expiry sweep: at start, then every SRDI_EXPIRY_SWEEP_S seconds (a background job of the app).
The validity reminders (reminders/service.py) are swept in the same loop, in their own transaction."""
from services.registry.certifications import service
from services.registry.reminders import service as reminders
from shared.app import every
from shared.clock import today


def expire_due(app) -> None:
    """Demote enterprises whose titles lapse, then announce the reminders due; a transaction each."""
    with app.state.db.transaction() as s:
        service.expire_due(s, today())
    with app.state.db.transaction() as s:  # idempotent: one reminder per enterprise and cycle
        reminders.sweep(s, today())


expiry_sweeper = every("expiry_sweeper", expire_due, lambda app: app.state.settings.expiry_sweep_s)
