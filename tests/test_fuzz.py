"""Schemathesis against every service's OpenAPI, over HTTP to `srdi up`: no input gives a 5xx."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")


@pytest.mark.skipif(bool(os.environ.get("SRDI_TEST_DATABASE_URL")),
                    reason="the processes run on SQLite: fuzzed once, in the SQLite pass")
def test_no_server_error_from_any_input(stack, tmp_path, role="econ"):
    _, urls, token, _ = stack
    failures = {}
    for service, url in urls.items():
        r = subprocess.run([SCHEMATHESIS, "run", f"{url}/openapi.json", "--checks", "not_a_server_error",
                            "--header", f"Authorization: Bearer {token(role)}", "--max-examples", "12",
                            "--phases", "coverage,fuzzing", "--seed", "20261124", "--no-color",
                            "--request-timeout", "10"],
                           capture_output=True, text=True, timeout=600, cwd=tmp_path)
        if r.returncode != 0:
            out = r.stdout
            failures[service] = out[out.find("FAILURES"):][:4000] if "FAILURES" in out else out[-3000:]
    assert not failures, "\n\n".join(f"== {s}\n{out}" for s, out in failures.items())
