"""Who may call what in the registry: the role aliases every sub-domain's routes use (a park
then finds only its own park's enterprises: each repository's readable(who))."""
from shared.auth import Caller

Writer = Caller("econ")
CertWriter = Caller("econ", "platform")
Reader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform", "park")
# An enterprise signed in (its USCC) reads its own record and requests, and opens requests for itself
# (enterprises.readable(who) scopes it to its own USCC).
OwnReader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform", "park", "enterprise")
RequestOpener = Caller("econ", "enterprise")
StatsReader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform")
ImportReader = Caller("econ", "platform", "auditor")
RequestMover = Caller("econ", "treasury", "talent", "finance", "park")
HotlineReader = Caller("econ", "treasury", "talent", "finance", "auditor", "park")
SessionReader = Caller("econ", "treasury", "talent", "finance", "auditor")
ReminderReader = Caller("econ", "auditor")
SeasonReader = Caller("econ", "auditor")  # the declaration season and the platform jobs
