"""The expiry sweep: at start, then every SRDI_EXPIRY_SWEEP_S seconds (a background job of the app).
The validity reminders (reminders/service.py) are swept in the same loop, in their own transaction."""
from services.registry.certifications import service
from services.registry.reminders import service as reminders
from shared.app import every
from shared.clock import today


EXPIRY_CHUNK = 200  # certifications per transaction: a season's lapse (thousands) never holds the writer long


def expire_due(app) -> None:
    """Demote enterprises whose titles lapse, in transactions of EXPIRY_CHUNK (one long transaction held
    SQLite's only writer lock for 40 s over 5,806 titles: the relay and every handler stalled), then
    announce the reminders due."""
    while True:
        with app.state.db.transaction() as s:
            expired = service.expire_due(s, today(), limit=EXPIRY_CHUNK)
        if expired < EXPIRY_CHUNK:
            break
    with app.state.db.transaction() as s:  # idempotent: one reminder per enterprise and cycle
        reminders.sweep(s, today())


expiry_sweeper = every("expiry_sweeper", expire_due, lambda app: app.state.settings.expiry_sweep_s)
