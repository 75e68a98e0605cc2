"""Render the Kubernetes manifests in deploy/k8s/ from one description of the suite.

Five services share one shape, so the manifests are generated rather than copied by hand:
`python deploy/render.py` rewrites deploy/k8s/base/*.yaml and the production overlay;
tests/test_deploy.py checks that the committed files equal the rendered ones and that they
validate against the Kubernetes schemas (kubernetes-validate).
"""
from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent / "k8s"
IMAGE = "registry.fangshan.gov.cn/srdi/suite:1.0.0"
SERVICES = {"registry": 8001, "awards": 8002, "talent": 8003, "finance": 8004, "parks": 8005, "outreach": 8006}
NS = "srdi"
# Tokens: the portal signs with the private key (a Secret only it mounts); the services verify
# with the public keys (a ConfigMap: public, several at once during a key rotation).
PUBLIC_KEYS = {"configmap": "srdi-jwt-public-keys", "path": "/etc/srdi/jwt-public"}
SIGNING_KEY = {"secret": "srdi-jwt-signing-key", "path": "/etc/srdi/jwt-signing", "file": "jwt-signing.pem"}
UID = 10001


def secret(key: str) -> dict:
    return {"valueFrom": {"secretKeyRef": {"name": "srdi-secrets", "key": key}}}


def env() -> list[dict]:
    """What every service and migration Job gets (SRDI_JWT_SECRET: the server's HMAC secret, not a
    token key)."""
    return [{"name": "SRDI_ENV", "value": "prod"},
            {"name": "SRDI_NATS_URL", "value": "nats://nats:4222"},
            {"name": "SRDI_STREAM_REPLICAS", "value": "3"},
            {"name": "SRDI_MIGRATE_ON_START", "value": "false"},
            {"name": "SRDI_DATABASE_URL", **secret("database-url-template")},
            {"name": "SRDI_JWT_SECRET", **secret("jwt-secret")}]


def own_secrets(name: str) -> list[dict]:
    """A service's own keys: only talent holds the resident-ID keys, only awards the payees' account key."""
    if name == "talent":
        return [{"name": "SRDI_TALENT_KEY", **secret("talent-key")},
                {"name": "SRDI_TALENT_HASH_KEY", **secret("talent-hash-key")}]
    if name == "awards":  # payees' bank accounts, encrypted at rest
        return [{"name": "SRDI_PAYEE_KEY", **secret("payee-key")}]
    return []


def labels(name: str) -> dict:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "srdi"}


def deployment(name: str, port: int) -> dict:
    probe = lambda path, delay: {"httpGet": {"path": path, "port": port}, "initialDelaySeconds": delay,  # noqa: E731
                                 "periodSeconds": 10, "timeoutSeconds": 3}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS, "labels": labels(name)},
            "spec": {"replicas": 2, "selector": {"matchLabels": labels(name)},
                     "template": {"metadata": {"labels": labels(name)}, "spec": {
                         "securityContext": {"runAsNonRoot": True, "runAsUser": UID},
                         "containers": [{
                             "name": name, "image": IMAGE,
                             "command": ["uvicorn", f"services.{name}.main:app", "--host", "0.0.0.0", "--port", str(port)],
                             "ports": [{"containerPort": port, "name": "http"}],
                             "env": [*env(), *own_secrets(name),
                                     {"name": "SRDI_JWT_PUBLIC_KEYS", "value": PUBLIC_KEYS["path"]}],
                             "volumeMounts": [{"name": "jwt-public", "mountPath": PUBLIC_KEYS["path"], "readOnly": True}],
                             "readinessProbe": probe("/readyz", 5), "livenessProbe": probe("/healthz", 15),
                             "resources": {"requests": {"cpu": "100m", "memory": "256Mi"},
                                           "limits": {"cpu": "1", "memory": "1Gi"}}}],
                         "volumes": [{"name": "jwt-public", "configMap": {"name": PUBLIC_KEYS["configmap"]}}]}}}}


def service(name: str, port: int) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": NS, "labels": labels(name)},
            "spec": {"selector": labels(name), "ports": [{"name": "http", "port": port, "targetPort": port}]}}


def migration_job(name: str) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": f"migrate-{name}", "namespace": NS,
                                                                  "labels": labels(f"migrate-{name}")},
            "spec": {"backoffLimit": 3, "template": {"spec": {"restartPolicy": "OnFailure", "containers": [{
                "name": "migrate", "image": IMAGE, "command": ["srdi", "migrate", "--service", name],
                "env": [*env(), *own_secrets(name)]}]}}}}


def hpa(name: str) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": NS},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                     "minReplicas": 2, "maxReplicas": 6,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": 70}}}]}}


NATS_CONF = """# 3-node JetStream cluster. sync_interval: always makes an ack mean "on disk" on every node.
port: 4222
http_port: 8222
server_name: $POD_NAME
jetstream {
  store_dir: /data
  sync_interval: always
}
cluster {
  name: srdi
  port: 6222
  routes: [
    nats://nats-0.nats-cluster:6222
    nats://nats-1.nats-cluster:6222
    nats://nats-2.nats-cluster:6222
  ]
}
"""


def nats() -> list[dict]:
    lab = labels("nats")
    return [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nats-config", "namespace": NS},
         "data": {"nats.conf": NATS_CONF}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "nats", "namespace": NS},
         "spec": {"selector": lab, "ports": [{"name": "client", "port": 4222}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "nats-cluster", "namespace": NS},
         "spec": {"clusterIP": "None", "selector": lab,
                  "ports": [{"name": "cluster", "port": 6222}, {"name": "monitor", "port": 8222}]}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "nats", "namespace": NS, "labels": lab},
         "spec": {"serviceName": "nats-cluster", "replicas": 3, "selector": {"matchLabels": lab},
                  "template": {"metadata": {"labels": lab}, "spec": {"containers": [{
                      "name": "nats", "image": "nats:2.11", "args": ["-c", "/etc/nats/nats.conf"],
                      "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                      "ports": [{"containerPort": 4222, "name": "client"}, {"containerPort": 6222, "name": "cluster"},
                                {"containerPort": 8222, "name": "monitor"}],
                      "readinessProbe": {"httpGet": {"path": "/healthz?js-enabled-only=true", "port": 8222}},
                      "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8222}, "initialDelaySeconds": 10},
                      "volumeMounts": [{"name": "config", "mountPath": "/etc/nats"}, {"name": "data", "mountPath": "/data"}],
                      "resources": {"requests": {"cpu": "200m", "memory": "512Mi"}}}],
                      "volumes": [{"name": "config", "configMap": {"name": "nats-config"}}]}},
                  "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                      "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}}]}},
    ]


def portal() -> list[dict]:
    """The web frontend: no database and no migration; it calls the services by their Service names.
    It is the token issuer: the only pod with the private key (read-only, 0400, readable by its
    user through fsGroup), and it needs no server secret (its cookie key derives from that key)."""
    d = deployment("portal", 8000)
    pod = d["spec"]["template"]["spec"]
    pod["securityContext"]["fsGroup"] = UID
    c = pod["containers"][0]
    c["env"] = [e for e in c["env"] if e["name"] == "SRDI_ENV"] + [
        {"name": "SRDI_JWT_PRIVATE_KEY", "value": f"{SIGNING_KEY['path']}/{SIGNING_KEY['file']}"}] + [
        {"name": f"SRDI_PORTAL_{name.upper()}_URL", "value": f"http://{name}:{port}"}
        for name, port in SERVICES.items()]
    c["volumeMounts"] = [{"name": "jwt-signing", "mountPath": SIGNING_KEY["path"], "readOnly": True}]
    pod["volumes"] = [{"name": "jwt-signing", "secret": {"secretName": SIGNING_KEY["secret"], "defaultMode": 0o400}}]
    c["readinessProbe"]["httpGet"]["path"] = "/healthz"
    return [d, service("portal", 8000), hpa("portal")]


def base() -> dict[str, list[dict]]:
    files = {"namespace.yaml": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}],
             "secrets.example.yaml": [
                 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "srdi-secrets", "namespace": NS},
                  "type": "Opaque",
                  "stringData": {"database-url-template": "postgresql+psycopg://srdi:CHANGE-ME@postgres.example:5432/srdi_{service}",
                                 "jwt-secret": "CHANGE-ME-AT-LEAST-32-CHARACTERS", "talent-key": "CHANGE-ME-FERNET-KEY",
                                 "talent-hash-key": "CHANGE-ME-AT-LEAST-32-CHARACTERS"}},
                 # `srdi keys generate --out keys`, then:
                 # kubectl -n srdi create secret generic srdi-jwt-signing-key --from-file=jwt-signing.pem=keys/jwt-signing.pem
                 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": SIGNING_KEY["secret"], "namespace": NS},
                  "type": "Opaque", "stringData": {SIGNING_KEY["file"]: "CHANGE-ME: an Ed25519 private key (PEM)"}},
                 # kubectl -n srdi create configmap srdi-jwt-public-keys --from-file=keys/jwt-public/
                 # (a rotation: the old and the new <kid>.pem together until the old key's last token expired)
                 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": PUBLIC_KEYS["configmap"], "namespace": NS},
                  "data": {"CHANGE-ME-KID.pem": "CHANGE-ME: the Ed25519 public key(s) (PEM)"}}],
             "nats.yaml": nats()}
    for name, port in SERVICES.items():
        files[f"{name}.yaml"] = [deployment(name, port), service(name, port), hpa(name), migration_job(name)]
    files["portal.yaml"] = portal()
    return files


def write() -> dict[Path, str]:
    out: dict[Path, str] = {}
    b = base()
    for fname, docs in b.items():
        out[HERE / "base" / fname] = yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True)
    out[HERE / "base" / "kustomization.yaml"] = yaml.safe_dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
         "resources": [f for f in b if f != "secrets.example.yaml"]}, sort_keys=False)
    out[HERE / "production" / "kustomization.yaml"] = yaml.safe_dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": ["../base"],
         "images": [{"name": IMAGE.rsplit(":", 1)[0], "newTag": "1.0.0"}],
         "patches": [{"target": {"kind": "HorizontalPodAutoscaler"},
                      "patch": "- op: replace\n  path: /spec/minReplicas\n  value: 3\n"},
                     {"target": {"kind": "Deployment", "labelSelector": "app.kubernetes.io/part-of=srdi"},
                      "patch": "- op: replace\n  path: /spec/replicas\n  value: 3\n"}]}, sort_keys=False)
    return out


if __name__ == "__main__":
    for path, text in write().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(path.relative_to(HERE.parent.parent))
