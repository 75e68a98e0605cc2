"""Who may call what in talent: the role aliases every sub-domain's routes use."""
from shared.auth import Caller

Liaison = Caller("talent", "enterprise")
LiaisonReader = Caller("talent", "econ", "auditor", "enterprise")
Reader = Caller("talent", "econ", "auditor")
