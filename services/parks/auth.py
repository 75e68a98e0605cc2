"""Who may call what in parks: the role aliases every sub-domain's routes use (a park operator
then finds only its own park's objects: each repository's readable(who))."""
from shared.auth import Caller

ParkRegistrar = Caller("econ")
ParkReader = Caller("econ", "auditor", "park")
ParkEditor = Caller("econ", "park")  # a park operator edits its own park's entry
ParkAnnouncer = Caller("econ")  # re-announces every park to the registry (operations)
IncubationReader = Caller("econ", "auditor", "park")
IncubationWriter = Caller("econ", "park")  # a park operator records its own park's incubation
IntermediaryRegistrar = Caller("econ")
IntermediaryReader = Caller("econ", "auditor", "park")
ServiceRecorder = Caller("econ", "park")  # a park operator records its own park's services
Designator = Caller("econ")
DesignationReader = Caller("econ", "auditor", "park")
