"""Who may call what in the registry: the role aliases every sub-domain's routes use (a park
then finds only its own park's enterprises: each repository's readable(who))."""
from shared.auth import Caller

Writer = Caller("econ")
CertWriter = Caller("econ", "platform")
Reader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform", "park")
# An enterprise signed in (its USCC) reads its own record and requests, and opens requests for itself
# (enterprises.readable(who) scopes it to its own USCC).
OWN_READERS = ("econ", "treasury", "talent", "finance", "auditor", "platform", "park", "enterprise", "township")
OwnReader = Caller(*OWN_READERS)
RequestOpener = Caller("econ", "enterprise")
# A township or street office (乡镇/街道) reads its own enterprises (readable(who): their township is
# its own) and records its visits and policy sessions.
LocalReader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform", "park", "township")
LocalWriter = Caller("econ", "township")
StatsReader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform")
ImportReader = Caller("econ", "platform", "auditor")
RequestMover = Caller("econ", "treasury", "talent", "finance", "park")
HotlineReader = Caller("econ", "treasury", "talent", "finance", "auditor", "park")
SessionReader = Caller("econ", "treasury", "talent", "finance", "auditor", "township")
ReminderReader = Caller("econ", "auditor")
SeasonReader = Caller("econ", "auditor")  # the declaration season and the platform jobs
