"""Who may call the enterprise routes (and the registry's other readers and writers)."""
from shared.auth import Caller

Writer = Caller("econ")
CertWriter = Caller("econ", "platform")
Reader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform", "park")
