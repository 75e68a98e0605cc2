"""Deployment files: the Kubernetes manifests are what deploy/render.py makes, and they validate."""
import importlib.util
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def rendered() -> dict:
    spec = importlib.util.spec_from_file_location("render", ROOT / "deploy" / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write()


def test_committed_manifests_are_the_rendered_ones():
    for path, text in rendered().items():
        assert path.read_text() == text, f"{path} is stale: run python deploy/render.py"


@pytest.mark.parametrize("path", sorted((ROOT / "deploy" / "k8s" / "base").glob("*.yaml")), ids=lambda p: p.name)
def test_manifests_validate_against_kubernetes_schemas(path):
    if path.name == "kustomization.yaml":
        return
    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, "1.37.0", strict=True)  # raises on any error


def test_cluster_stream_and_durability_settings():
    docs = {f"{d['kind']}/{d['metadata']['name']}": d
            for p in (ROOT / "deploy" / "k8s" / "base").glob("*.yaml") if p.name != "kustomization.yaml"
            for d in yaml.safe_load_all(p.read_text())}
    assert docs["StatefulSet/nats"]["spec"]["replicas"] == 3
    assert "sync_interval: always" in docs["ConfigMap/nats-config"]["data"]["nats.conf"]
    for name in ("registry", "awards", "talent", "finance", "parks"):
        container = docs[f"Deployment/{name}"]["spec"]["template"]["spec"]["containers"][0]
        assert {"name": "SRDI_STREAM_REPLICAS", "value": "3"} in container["env"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert docs[f"Job/migrate-{name}"]["spec"]["template"]["spec"]["containers"][0]["command"][-1] == name


def test_compose_file_names_every_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"postgres", "nats", "migrate", "registry", "awards", "talent", "finance", "parks", "outreach",
            "portal"} <= set(compose["services"])
    for name in ("registry", "awards", "talent", "finance", "parks", "outreach", "portal"):
        assert compose["services"][name]["command"][1] == f"services.{name}.main:app"


def _compose_cli() -> list[str] | None:
    import shutil
    import subprocess
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_compose_config_validates():
    """`docker compose config` (or Debian's docker-compose) parses and validates the file; it needs no daemon."""
    import os
    import subprocess
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no docker compose here (make test installs Debian's docker-compose when it can)")
    env = dict(os.environ, SRDI_JWT_SECRET="compose-check", SRDI_TALENT_KEY="compose-check", SRDI_PAYEE_KEY="compose-check",
               SRDI_TALENT_HASH_KEY="compose-check")
    r = subprocess.run([*cli, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    # The secrets are required, not defaulted: without them the file refuses to render.
    env.pop("SRDI_JWT_SECRET")
    assert subprocess.run([*cli, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"], capture_output=True,
                          text=True, env=env, timeout=120).returncode != 0
