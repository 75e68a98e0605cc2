"""Schemathesis against every service's OpenAPI, over HTTP to `srdi up`, as every role: no input
gives a 5xx, and every answer conforms to the schema the document gives for it (response models,
the RFC 9457 problem). The econ role, who may do most, is fuzzed deepest (its documented examples
first); every other role with each operation's documented examples (most answer it 403, which must
conform too). Kept within a few minutes: the suite has ~200 operations and CI runs under 30."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.auth import ROLES
from shared.testing import make_uscc

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
ORGS = {"park": "park-00000001", "bank": "ICBC-FS", "enterprise": make_uscc(), "township": "良乡镇"}
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
# The municipal platform is not configured in this stack: those two operations answer their
# documented 503 (platform-not-configured), which "not a server error" would count; they are tested
# against a platform double in services/registry/tests/platform/.
UNCONFIGURED = "^/api/v1/platform/"


@pytest.mark.skipif(bool(os.environ.get("SRDI_TEST_DATABASE_URL")),
                    reason="the processes run on SQLite: fuzzed once, in the SQLite pass")
def test_no_server_error_and_every_answer_as_documented(stack, tmp_path):
    _, urls, token, _ = stack
    failures = {}
    for role in ROLES:
        deep = role == "econ"
        bearer = token(role, ORGS.get(role))
        for service, url in urls.items():
            r = subprocess.run([SCHEMATHESIS, "run", f"{url}/openapi.json", "--checks", CHECKS,
                                "--header", f"Authorization: Bearer {bearer}",
                                "--max-examples", "6" if deep else "1",
                                "--phases", "examples,coverage,fuzzing" if deep else "examples",
                                "--exclude-path-regex", UNCONFIGURED,
                                "--seed", "20261124", "--no-color", "--request-timeout", "10"],
                               capture_output=True, text=True, timeout=900, cwd=tmp_path)
            if r.returncode != 0:
                out = r.stdout
                failures[f"{service} as {role}"] = (out[out.find("FAILURES"):][:4000] if "FAILURES" in out
                                                    else out[-3000:])
    assert not failures, "\n\n".join(f"== {s}\n{out}" for s, out in failures.items())
