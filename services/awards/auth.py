"""Who may call what in awards: the role aliases every sub-domain's routes use (a park then finds
only its own awards and ledger entries: each repository's readable(who))."""
from shared.auth import Caller

Reader = Caller("econ", "treasury", "auditor", "park", "enterprise")
Reviewer = Caller("econ")
Treasurer = Caller("treasury")
Rejecter = Caller("econ", "treasury")
TotalsReader = Caller("econ", "treasury", "auditor")
BudgetReader = Caller("econ", "treasury", "auditor")
LedgerReader = Caller("econ", "treasury", "auditor", "park")
Claimant = Caller("econ")
Simulator = Caller("econ", "treasury", "auditor")
PayeeReader = Caller("econ", "treasury", "auditor")  # payees and payment batches, accounts masked
