"""Only for the suite-level tests that still import the talent tables from here
(tests/test_exactly_once.py, tests/test_faults.py): the tables are in tables.py. To go once they
import `services.talent.tables`."""
from services.talent.tables import CertificationRevocation, Nomination, QuotaEntitlement, QuotaGrant

__all__ = ["CertificationRevocation", "Nomination", "QuotaEntitlement", "QuotaGrant"]
