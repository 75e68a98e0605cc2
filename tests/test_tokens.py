"""Tokens: one issuer signs (Ed25519), the services verify with public keys only; a key rotates by
its kid; a token lives at most the maximum lifetime; its organisation fits its role; production
refuses to start without a usable key; secrets and keys are 0600 from creation, the data folder 0700.

In this process (a registry and a talent service on a real nats-server and databases) and as real
processes: `srdi up` into a new data folder, a production registry with a rotated key set, and
services and `srdi up` started in production without a key."""
import base64
import hashlib
import hmac
import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import (PUBLIC_DIR, SIGNING_FILE, KeyConfigError, SigningKey, Verifier, issue_token, kid_of,
                         load_public_keys, load_signing_key, public_pem, write_key_pair)
from shared.cli import main as srdi
from shared.settings import Settings
from shared.testing import PUBLIC_KEYS, SERVER_SECRET, SIGNING_KEY, Suite, make_uscc, wrong_check
from tests.conftest import SRDI, free_base, wait

ROOT = Path(__file__).resolve().parent.parent
TEN_YEARS = 10 * 365 * 24 * 3600
ENTERPRISES = "/api/v1/enterprises"
PROCESSES_ON_SQLITE = pytest.mark.skipif(bool(os.environ.get("SRDI_TEST_DATABASE_URL")),
                                         reason="the processes run on SQLite: run once, in the SQLite pass")


@pytest.fixture(scope="module")
async def suite(tmp_path_factory):
    s = await Suite(tmp_path_factory.mktemp("tokens"), services=("registry", "talent")).start()
    yield s
    await s.stop()


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(role="econ", org=None, lifetime=3600, iat=None, **extra) -> dict:
    iat = int(time.time()) if iat is None else iat
    c = {"iss": "srdi", "sub": "zhang.san", "role": role, "iat": iat, "exp": iat + lifetime, **extra}
    if org is not None:
        c["org"] = org
    return c


def hs256(payload: dict, secret: bytes, kid: str | None = SIGNING_KEY.kid) -> str:
    """A token "signed" HS256 by hand (PyJWT itself refuses a PEM key as an HMAC secret)."""
    header = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    head = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    return f"{head}.{b64url(hmac.new(secret, head.encode(), hashlib.sha256).digest())}"


def unsigned(payload: dict) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": SIGNING_KEY.kid}
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}."


def signed(payload: dict, key: SigningKey = SIGNING_KEY, kid: str | None = None) -> str:
    return jwt.encode(payload, key.private, algorithm="EdDSA", headers={"kid": kid or key.kid})


async def status(suite, service: str, token: str, path: str = ENTERPRISES) -> int:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=suite.apps[service]), base_url="http://t",
                                 headers={"Authorization": f"Bearer {token}"}) as c:
        return (await c.get(path)).status_code


# -- forging -----------------------------------------------------------------------------------------
async def test_only_the_issuers_private_key_makes_a_token(suite):
    assert await status(suite, "registry", suite.token("econ")) == 200
    c = claims()
    other = SigningKey.generate()
    head, _, signature = signed(c).split(".")
    forged = {
        # What a compromised service holds: the public key and the server's HMAC secret.
        "hs256 with the public key as secret": hs256(c, PUBLIC_KEYS.encode()),
        "hs256 with the public key's DER": hs256(c, SIGNING_KEY.public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)),
        "hs256 with the server secret": hs256(c, SERVER_SECRET.encode()),
        "hs256 with the server secret, no kid": hs256(c, SERVER_SECRET.encode(), kid=None),
        "alg none": unsigned(c),
        "another key under the issuer's kid": signed(c, other, kid=SIGNING_KEY.kid),
        "another key under its own kid": signed(c, other),
        "no kid": jwt.encode(c, SIGNING_KEY.private, algorithm="EdDSA"),
        "a changed payload": f"{head}.{b64url(json.dumps({**c, 'role': 'treasury'}).encode())}.{signature}",
    }
    for what, token in forged.items():
        assert await status(suite, "registry", token) == 401, what
    assert await status(suite, "registry", signed(c)) == 200  # the same claims, signed by the issuer


# -- lifetime ------------------------------------------------------------------------------------------
async def test_a_token_lives_at_most_the_maximum_lifetime(suite):
    assert suite.settings.token_max_lifetime_hours == 24
    assert await status(suite, "registry", signed(claims(lifetime=24 * 3600))) == 200
    for what, payload in {"ten years": claims(lifetime=TEN_YEARS), "25 hours": claims(lifetime=25 * 3600),
                          "no iat": {k: v for k, v in claims().items() if k != "iat"},
                          "iat in the future": claims(iat=int(time.time()) + 3600, lifetime=7200),
                          "expired": claims(iat=int(time.time()) - 7200, lifetime=3600)}.items():
        assert await status(suite, "registry", signed(payload)) == 401, what
    with pytest.raises(ValueError, match="maximum lifetime"):
        issue_token(SIGNING_KEY, "econ", ttl_hours=87600)
    # A longer maximum is a setting; the verifier follows it.
    assert Verifier({SIGNING_KEY.kid: SIGNING_KEY.public}, max_lifetime_hours=48).verify(
        signed(claims(lifetime=48 * 3600))).role == "econ"


# -- organisations -----------------------------------------------------------------------------------
async def test_the_organisation_fits_the_role(suite):
    uscc = make_uscc()
    assert await status(suite, "talent", signed(claims("enterprise", uscc)), "/api/v1/nominations") == 200
    refused = [("enterprise", "not-a-uscc"), ("enterprise", wrong_check(uscc)), ("enterprise", None),
               ("enterprise", uscc.lower()), ("park", "园区一"), ("park", "P 1"), ("park", "../P1"), ("park", None),
               ("bank", "B1;drop"), ("bank", "B" * 65), ("bank", ""), ("park", 7), ("econ", "P1"),
               ("auditor", uscc), ("root", None)]
    for role, org in refused:
        assert await status(suite, "talent", signed(claims(role, org)), "/api/v1/nominations") == 401, (role, org)
        if isinstance(org, (str, type(None))):
            with pytest.raises(ValueError):
                issue_token(SIGNING_KEY, role, org)
    for role, org in (("park", "park-0a1b2c3d"), ("park", "P-X"), ("bank", "B1"), ("bank", "DEMO"),
                      ("bank", "ICBC.0102"), ("econ", None), ("platform", None)):
        assert await status(suite, "registry", signed(claims(role, org))) in (200, 403), (role, org)


# -- rotation ------------------------------------------------------------------------------------------
def test_keys_are_named_by_their_thumbprint_and_read_from_folders_lists_and_text(tmp_path):
    old, new = write_key_pair(tmp_path / "old"), write_key_pair(tmp_path / "new")
    folder = tmp_path / "public"
    folder.mkdir()
    (folder / "whatever-name.pem").write_text(public_pem(old.public))  # the file's name is not the kid
    (folder / "2027.pem").write_text(public_pem(new.public))
    both = {old.kid, new.kid}
    assert set(load_public_keys(str(folder))) == both
    listed = f"{tmp_path / 'old' / PUBLIC_DIR},{tmp_path / 'new' / PUBLIC_DIR / (new.kid + '.pem')}"  # a folder, a file
    assert set(load_public_keys(listed)) == both
    assert set(load_public_keys(public_pem(old.public) + public_pem(new.public))) == both
    assert load_signing_key(str(tmp_path / "new" / SIGNING_FILE)).kid == new.kid == kid_of(new.public)
    verifier = Verifier(load_public_keys(str(folder)))
    assert {verifier.verify(issue_token(k, "econ", sub=k.kid)).sub for k in (old, new)} == both


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(env: dict, tmp: Path, name: str = "registry", port: int | None = None):
    port = port or free_port()
    log = open(tmp / f"{name}-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", f"services.{name}.main:app", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}", log


def prod_env(tmp: Path, **extra) -> dict:
    env = dict(os.environ, SRDI_ENV="prod", SRDI_DATA_DIR=str(tmp), SRDI_JWT_SECRET="s" * 40,
               SRDI_BACKGROUND_JOBS="false", SRDI_LOG_LEVEL="WARNING", **extra)
    for name in ("SRDI_DATABASE_URL", "SRDI_TEST_DATABASE_URL", "SRDI_JWT_PUBLIC_KEYS", "SRDI_JWT_PRIVATE_KEY"):
        env.pop(name, None)
    env.update(extra)
    return env


def stop(proc, log) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(15)
    log.close()


@PROCESSES_ON_SQLITE
def test_a_rotated_key_verifies_beside_the_old_one_in_a_production_service(suite, tmp_path):
    """A production registry with public keys only: during the overlap tokens of the old and the
    new key both verify; once the old key is taken out, its tokens do not."""
    old, new = write_key_pair(tmp_path / "old"), write_key_pair(tmp_path / "new")
    public = tmp_path / "public"
    public.mkdir()
    for k in (old, new):
        (public / f"{k.kid}.pem").write_text(public_pem(k.public))
    tokens = {k.kid: issue_token(k, "econ") for k in (old, new)}
    stranger = issue_token(SigningKey.generate(), "econ")
    port = free_port()

    def run(keys: str):
        proc, url, log = serve(prod_env(tmp_path / "data", SRDI_NATS_URL=suite.nats.url, SRDI_JWT_PUBLIC_KEYS=keys),
                               tmp_path, port=port)
        try:
            wait(lambda: proc.poll() is None and httpx.get(url + "/healthz").status_code == 200, "the registry", 60)
            return {kid: httpx.get(url + ENTERPRISES, headers={"Authorization": f"Bearer {t}"}).status_code
                    for kid, t in {**tokens, "stranger": stranger}.items()}
        finally:
            stop(proc, log)

    (tmp_path / "data").mkdir(mode=0o700)
    assert run(str(public)) == {old.kid: 200, new.kid: 200, "stranger": 401}
    (public / f"{old.kid}.pem").unlink()  # the overlap is over: the last old token has expired
    assert run(str(public)) == {old.kid: 401, new.kid: 200, "stranger": 401}


# -- production refuses a weak or missing key ------------------------------------------------------------
@pytest.mark.parametrize("what, extra, says", [
    ("no public key", {}, "SRDI_JWT_PUBLIC_KEYS must be set"),
    ("the issuer's key in a service", {"SRDI_JWT_PUBLIC_KEYS": PUBLIC_KEYS, "SRDI_JWT_PRIVATE_KEY": "x"},
     "SRDI_JWT_PRIVATE_KEY is set for a service"),
])
def test_a_production_service_without_a_proper_key_refuses_to_start(tmp_path, what, extra, says):
    proc, url, log = serve(prod_env(tmp_path, SRDI_NATS_URL="nats://127.0.0.1:9", **extra), tmp_path)
    try:
        assert proc.wait(60) != 0, what
    finally:
        stop(proc, log)
    out = next(tmp_path.glob("registry-*.log")).read_text()
    assert says in out, out[-2000:]


def test_a_production_portal_without_the_private_key_refuses_to_start(tmp_path):
    proc, url, log = serve(prod_env(tmp_path, SRDI_JWT_PUBLIC_KEYS=PUBLIC_KEYS), tmp_path, name="portal")
    try:
        assert proc.wait(60) != 0
    finally:
        stop(proc, log)
    assert "SRDI_JWT_PRIVATE_KEY must be set" in next(tmp_path.glob("portal-*.log")).read_text()


def test_production_srdi_up_and_token_issue_without_a_key_refuse_with_the_variable_to_set(tmp_path):
    env = prod_env(tmp_path / "data", SRDI_PORT_BASE=str(free_base()))
    r = subprocess.run([*SRDI, "up", "--data-dir", str(tmp_path / "data")], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode != 0 and "SRDI_JWT_PUBLIC_KEYS must be set" in r.stderr, r.stderr
    assert not (tmp_path / "data" / "nats").exists()  # refused before anything started
    r = subprocess.run([*SRDI, "up", "--data-dir", str(tmp_path / "data")], capture_output=True, text=True,
                       env={**env, "SRDI_JWT_PUBLIC_KEYS": PUBLIC_KEYS, "SRDI_JWT_SECRET": "x"}, timeout=120)
    assert r.returncode != 0 and "SRDI_JWT_SECRET is too short" in r.stderr, r.stderr
    r = subprocess.run([*SRDI, "token", "issue", "--role", "econ"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode != 0 and "SRDI_JWT_PRIVATE_KEY must be set" in r.stderr, r.stderr


def test_weak_or_wrong_key_material_is_refused(tmp_path, monkeypatch):
    for name in ("SRDI_JWT_SECRET", "SRDI_JWT_PUBLIC_KEYS", "SRDI_JWT_PRIVATE_KEY"):
        monkeypatch.delenv(name, raising=False)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(KeyConfigError, match="only Ed25519"):
        load_public_keys(rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode())
    with pytest.raises(KeyConfigError, match="Ed25519 key is required"):
        load_signing_key(rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()).decode())
    write_key_pair(tmp_path / "pair")
    with pytest.raises(KeyConfigError, match="holds a private key"):  # the issuer's key handed to a service
        load_public_keys(f"{tmp_path / 'pair' / PUBLIC_DIR},{tmp_path / 'pair' / SIGNING_FILE}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(KeyConfigError, match="no Ed25519 public key"):
        load_public_keys(str(tmp_path / "empty"))
    with pytest.raises(KeyConfigError, match="neither PEM text nor a readable file .*missing.pem"):
        load_public_keys(str(tmp_path / "missing.pem"))
    with pytest.raises(KeyConfigError, match="neither PEM text") as refused:  # an old HS256 secret, pasted
        load_signing_key("an-old-shared-secret-0123456789abcdef")
    assert "0123456789abcdef" not in str(refused.value)
    prod = dict(env="prod", data_dir=tmp_path, jwt_public_keys=PUBLIC_KEYS)
    with pytest.raises(RuntimeError, match="too short"):
        Verifier.from_settings(Settings(**prod, jwt_secret="1"))
    with pytest.raises(RuntimeError, match="SRDI_JWT_SECRET must be set"):
        Verifier.from_settings(Settings(**prod))
    assert Verifier.from_settings(Settings(**prod, jwt_secret="s" * 40)).keys == {SIGNING_KEY.kid: SIGNING_KEY.public}


# -- file modes ----------------------------------------------------------------------------------------
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_secret_and_key_files_are_0600_from_creation(tmp_path, monkeypatch):
    """With umask 0 nothing masks the mode a file is created with, and any chmod fails the test:
    so the modes seen afterwards are the modes the files were created with."""
    for name in ("SRDI_JWT_SECRET", "SRDI_JWT_PUBLIC_KEYS", "SRDI_JWT_PRIVATE_KEY", "SRDI_ENV"):
        monkeypatch.delenv(name, raising=False)
    def no_chmod(*args, **kwargs):
        raise AssertionError(f"chmod after creation: {args}")
    for name in ("chmod", "fchmod", "lchmod"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, no_chmod)
    data, out = tmp_path / "data", tmp_path / "operator-keys"
    previous = os.umask(0)
    try:
        settings = Settings(data_dir=data)
        assert settings.signing_secret and settings.token_signing_key and settings.token_public_keys
        srdi(["keys", "generate", "--out", str(out)])
    finally:
        os.umask(previous)
    assert mode(data) == 0o700 and mode(data / "keys") == 0o700 and mode(data / "keys" / PUBLIC_DIR) == 0o700
    files = [data / "jwt-secret", data / "keys" / SIGNING_FILE, *(data / "keys" / PUBLIC_DIR).iterdir(),
             out / SIGNING_FILE, *(out / PUBLIC_DIR).iterdir()]
    assert len(files) == 5 and {f: mode(f) for f in files} == {f: 0o600 for f in files}
    assert sorted(p.name for p in data.iterdir()) == ["jwt-secret", "keys"]  # no temporary left behind
    with pytest.raises(SystemExit, match="exists"):  # a key file is never overwritten
        srdi(["keys", "generate", "--out", str(out)])


# -- the embedded default as a user runs it ---------------------------------------------------------------
@pytest.fixture(scope="module")
def up(tmp_path_factory):
    """`srdi up` into a data folder that does not exist yet."""
    data = tmp_path_factory.mktemp("up") / "data"
    base = free_base()
    env = dict(os.environ, SRDI_PORT_BASE=str(base))
    for name in ("SRDI_TEST_DATABASE_URL", "SRDI_DATABASE_URL", "SRDI_JWT_PUBLIC_KEYS", "SRDI_JWT_PRIVATE_KEY",
                 "SRDI_JWT_SECRET", "SRDI_ENV"):
        env.pop(name, None)
    log = open(data.parent / "up.log", "w")
    proc = subprocess.Popen([*SRDI, "up", "--data-dir", str(data)], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    urls = {name: f"http://127.0.0.1:{base + off}" for name, off in (("registry", 1), ("talent", 3))}
    try:
        wait(lambda: all(httpx.get(u + "/readyz").status_code == 200 for u in urls.values()), "the suite", 240)
        yield data, urls, env
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(60)
        log.close()


@PROCESSES_ON_SQLITE
def test_srdi_up_makes_a_private_data_folder_and_a_key_pair(up):
    data, urls, env = up
    assert mode(data) == 0o700
    keys = data / "keys"
    public = list((keys / PUBLIC_DIR).iterdir())
    assert mode(keys) == 0o700 and len(public) == 1
    for f in (data / "jwt-secret", keys / SIGNING_FILE, public[0], *data.glob("*.db")):
        assert mode(f) == 0o600, f
    assert len(list(data.glob("*.db"))) >= 2 and mode(data / "nats") == 0o700
    assert not list(data.glob(".keys.*")) and not list(data.glob(".jwt-secret.*"))
    # `srdi token issue` signs with the data folder's private key, named by the public key's kid.
    token = subprocess.run([*SRDI, "token", "issue", "--role", "econ", "--data-dir", str(data)], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "typ": "JWT", "kid": public[0].stem}
    assert httpx.get(urls["registry"] + ENTERPRISES, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    r = subprocess.run([*SRDI, "token", "issue", "--role", "econ", "--ttl-hours", "87600", "--data-dir", str(data)],
                       env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "maximum lifetime" in r.stderr
    r = subprocess.run([*SRDI, "token", "issue", "--role", "enterprise", "--org", "ACME", "--data-dir", str(data)],
                       env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "USCC" in r.stderr


@PROCESSES_ON_SQLITE
def test_the_running_services_refuse_what_the_issuer_did_not_make(up):
    data, urls, _ = up
    issuer = load_signing_key(str(data / "keys" / SIGNING_FILE))
    public_text = next((data / "keys" / PUBLIC_DIR).iterdir()).read_bytes()

    def get(service, token, path=ENTERPRISES):
        return httpx.get(urls[service] + path, headers={"Authorization": f"Bearer {token}"}).status_code
    assert get("registry", signed(claims(), issuer)) == 200
    assert get("registry", hs256(claims(), public_text, issuer.kid)) == 401  # the public key is no secret
    assert get("registry", hs256(claims(), (data / "jwt-secret").read_text().strip().encode(), issuer.kid)) == 401
    assert get("registry", signed(claims(), SigningKey.generate(), issuer.kid)) == 401
    assert get("registry", signed(claims(lifetime=TEN_YEARS), issuer)) == 401
    nominations = "/api/v1/nominations"
    assert get("talent", signed(claims("enterprise", make_uscc()), issuer), nominations) == 200
    assert get("talent", signed(claims("enterprise", "not-a-uscc"), issuer), nominations) == 401
    assert get("talent", signed(claims("enterprise", wrong_check(make_uscc())), issuer), nominations) == 401


# -- deployment ----------------------------------------------------------------------------------------
def test_deployments_give_the_private_key_to_the_portal_alone():
    import yaml

    docs = {d["metadata"]["name"]: d for p in (ROOT / "deploy" / "k8s" / "base").glob("*.yaml")
            if p.name not in ("kustomization.yaml", "secrets.example.yaml")
            for d in yaml.safe_load_all(p.read_text()) if d["kind"] in ("Deployment", "Job")}
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "portal" in docs and len(docs) >= 13
    for name, doc in docs.items():
        pod = doc["spec"]["template"]["spec"]
        env = {e["name"] for e in pod["containers"][0]["env"]}
        mounted = {v.get("secret", {}).get("secretName") for v in pod.get("volumes", [])}
        issuer = name == "portal"
        assert ("SRDI_JWT_PRIVATE_KEY" in env) == issuer and ("srdi-jwt-signing-key" in mounted) == issuer, name
        assert ("SRDI_JWT_SECRET" in env) != issuer, name  # the portal needs no server secret
        if doc["kind"] == "Deployment" and not issuer:
            assert "SRDI_JWT_PUBLIC_KEYS" in env, name
        assert ("SRDI_TALENT_HASH_KEY" in env) == name.endswith("talent"), name
    for name, svc in compose.items():
        env = svc.get("environment", {})
        assert ("SRDI_JWT_PRIVATE_KEY" in env) == (name == "portal"), name
        if name in ("registry", "awards", "talent", "finance", "parks", "outreach"):
            assert env["SRDI_JWT_PUBLIC_KEYS"] and "./secrets/jwt-public:/run/srdi/jwt-public:ro" in svc["volumes"]
    assert "SRDI_TALENT_HASH_KEY" in compose["talent"]["environment"]
