"""Who may see what: every GET of outreach needs a reader's role (401 without a token, 403 for the
other departments, parks, banks and enterprises), and each repository's `readable(who)` finds
nothing for anyone but the readers."""
import pytest

from services.outreach.contracts import repository as contracts
from services.outreach.notices import repository as notices
from services.outreach.programmes import repository as programmes
from services.outreach.scenarios import repository as scenarios
from services.outreach.showcase import repository as showcase
from shared.auth import Principal
from shared.testing import make_uscc

SHARED = ("/api/v1/policy", "/api/v1/admin", "/api/v1/audit-log")  # every service's own, tested in tests/
READABLE = (scenarios.readable, contracts.readable, showcase.readable, notices.readable,
            notices.readable_deliveries, programmes.readable, programmes.readable_applications)


def outreach_gets(app) -> list[str]:
    uscc = make_uscc()
    paths = []
    for path, ops in app.openapi()["paths"].items():
        if "get" in ops and path.startswith("/api/v1/") and not path.startswith(SHARED):
            paths.append(path.replace("{uscc}", uscc).replace("_id}", "}").replace("{scenario}", "1")
                         .replace("{contract}", "1").replace("{product}", "1").replace("{notice}", "1")
                         .replace("{programme}", "1"))
    return paths


async def test_every_get_needs_a_readers_role(suite):
    paths = outreach_gets(suite.apps["outreach"])
    assert len(paths) >= 13 and not any("{" in p for p in paths), paths
    anon = suite.client("outreach", role=None)
    others = [suite.client("outreach", role=r) for r in ("treasury", "talent", "finance")]
    others += [suite.client("outreach", role="park", org="P1"), suite.client("outreach", role="bank", org="B1")]
    enterprise = suite.client("outreach", role="enterprise", org=make_uscc())
    readers = [suite.client("outreach", role=r) for r in ("econ", "auditor", "platform")]
    for path in paths:
        assert (await anon.get(path)).status_code == 401, path
        for client in others:
            assert (await client.get(path)).status_code == 403, path
        # an enterprise reads an inbox (its own only: test_notices) and the scenarios (the open ones and its
        # own proposals: test_scenarios), and nothing else
        mine = path.endswith("/inbox") or path.startswith("/api/v1/scenarios")
        assert (await enterprise.get(path)).status_code in ((200, 404) if mine else (403,)), path
        for client in readers:
            # an enterprise's contact is personal data: the bureau and the enterprise portal only
            personal = path.endswith("/contact") and client is readers[1]
            assert (await client.get(path)).status_code in ((403,) if personal else (200, 404)), path


@pytest.mark.parametrize("role", ["econ", "auditor", "platform", "park", "bank", "enterprise", "treasury"])
def test_readable_finds_nothing_for_anyone_but_the_readers(suite, role):
    who = Principal(role=role, org=None, sub="t")
    with suite.db("outreach").reader() as s:
        for readable in READABLE:
            found = s.execute(readable(who).limit(1)).first()
            if role not in ("econ", "auditor", "platform") and not (role == "enterprise" and readable is scenarios.readable):
                assert found is None, (role, readable)
