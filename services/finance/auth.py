"""Who may call finance (typed aliases for route signatures). Object scoping (a financial
institution sees only the loan cases it is party to) is not here: it is loans/repository.readable."""
from shared.auth import Caller

# Any bank reads the whole list: it is the list of enterprises banks may offer SRDI products to.
ListReader = Caller("bank", "finance", "econ", "auditor")
Manager = Caller("finance")  # 区金融服务办: products, list maintenance, programmes (policy: SPEC.policy_writers)
ProductReader = Caller("bank", "finance", "econ", "auditor")
LoanReader = Caller("bank", "finance", "econ", "treasury", "auditor")
LoanWriter = Caller("bank")  # a bank reports its own customers' loans
# 区金融办 asks the treasury to pay a subsidy or compensation; the treasury approves and pays it in awards
PayableAsker = Caller("finance")
PayableReader = Caller("finance", "treasury", "econ", "auditor", "bank")  # a bank: its own loans' only
ProgrammeReader = Caller("finance", "econ", "auditor")  # listing pipeline, guidance funds
MatchmakingReader = Caller("finance", "econ", "auditor", "bank")  # a bank: the events it attended
