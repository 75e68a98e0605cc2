"""`srdi`: start the suite, issue tokens, apply and write migrations."""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from shared.settings import SERVICES, Settings, available_services


def spec_of(service: str):
    return importlib.import_module(f"services.{service}.main").SPEC


def _settings(args) -> Settings:
    if getattr(args, "data_dir", None):
        os.environ["SRDI_DATA_DIR"] = str(Path(args.data_dir).resolve())
    return Settings()


def _private_data_dir(settings: Settings, command: str) -> Path:
    """The data folder, 0700: created so, or made so when an older one was open to others (its
    databases, JetStream store and keys are nobody else's)."""
    folder = settings.ensure_data_dir()
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        try:
            folder.chmod(0o700)
        except OSError as e:
            sys.exit(f"srdi {command}: the data folder {folder} is open to others (mode {mode:o}) and cannot be "
                     f"made private: {e}")
        print(f"data folder {folder} was open to others (mode {mode:o}): now 0700", file=sys.stderr, flush=True)
    return folder


def cmd_migrate(args) -> None:
    from shared.db import Database
    from shared.migrate import upgrade

    settings = _settings(args)
    os.umask(0o077)  # the SQLite files are the suite user's only
    _private_data_dir(settings, "migrate")
    for service in args.service or available_services():
        spec = spec_of(service)
        db = Database(settings.db_url(service))
        upgrade(db.engine, service, spec.migrations, spec.metadata)
        db.dispose()
        print(f"{service}: migrated ({settings.db_url(service).split('@')[-1]})")


def cmd_token(args) -> None:
    from shared.auth import issue_token

    settings = _settings(args)
    try:  # signed with the issuer's private key (SRDI_JWT_PRIVATE_KEY; in dev the data folder's)
        print(issue_token(settings.token_signing_key, args.role, args.org,
                          args.ttl_hours or settings.token_ttl_hours, sub=args.user,
                          max_hours=settings.token_max_lifetime_hours))
    except (ValueError, RuntimeError) as e:  # RuntimeError: a missing or unusable key
        sys.exit(f"srdi token issue: {e}")


def cmd_keys(args) -> None:
    """A new Ed25519 key pair for tokens: `OUT/jwt-signing.pem` for the issuer (the portal, the
    operator's `srdi token issue`), `OUT/jwt-public/<kid>.pem` for the services; 0600 from creation."""
    from shared.auth import PUBLIC_DIR, SIGNING_FILE, write_key_pair

    out = Path(args.out)
    if (out / SIGNING_FILE).exists():
        sys.exit(f"srdi keys generate: {out / SIGNING_FILE} exists; a rotation's new key goes into another folder")
    try:
        key = write_key_pair(out)
    except OSError as e:
        sys.exit(f"srdi keys generate: {e}")
    print(f"kid      {key.kid}\n"
          f"private  {out / SIGNING_FILE}   -> SRDI_JWT_PRIVATE_KEY (the portal and the CLI only)\n"
          f"public   {out / PUBLIC_DIR / (key.kid + '.pem')}   -> into the folder SRDI_JWT_PUBLIC_KEYS names "
          f"(every service; keep the old key there until its last token expired)")


def _token_keys(settings: Settings, issuer: bool) -> dict:
    """Check the token keys before anything starts (a production suite without them refuses here,
    with the variable to set) and return the public keys the services get."""
    try:
        _ = settings.signing_secret  # the server secret (fingerprints); made once here in dev
        keys = settings.token_public_keys
        if issuer:  # the portal signs: its key must be one the services accept
            kid = settings.token_signing_key.kid
            if kid not in keys:
                raise RuntimeError(f"the issuer's key (SRDI_JWT_PRIVATE_KEY, kid {kid}) is not among the services' "
                                   f"public keys (SRDI_JWT_PUBLIC_KEYS: {', '.join(keys)})")
    except RuntimeError as e:  # shared.auth.KeyConfigError too
        sys.exit(f"srdi up: {e}")
    return keys


def cmd_up(args) -> None:
    from shared.auth import public_pem
    from shared.natsserver import NatsServer, wait_port

    settings = _settings(args)
    os.umask(0o077)  # whatever the suite writes (databases, JetStream store, logs) is its user's only
    _private_data_dir(settings, "up")
    with_portal = importlib.util.find_spec("services.portal.main") is not None
    keys = _token_keys(settings, issuer=with_portal)  # in dev: the key pair made once, before anything races for it
    env = dict(os.environ, SRDI_DATA_DIR=str(settings.data_dir.resolve()))
    nats = None
    procs: dict[str, subprocess.Popen] = {}
    try:  # whatever ends this supervisor (an error too) stops what it started: no unsupervised orphans
        if not settings.nats_url:
            nats = NatsServer(settings.data_dir / "nats", settings.embedded_nats_port(),
                              log_file=settings.data_dir / "nats-server.log").start()
            env["SRDI_NATS_URL"] = nats.url
            print(f"nats     {nats.url} (JetStream store {settings.data_dir / 'nats'})", flush=True)
        cmd_migrate(argparse.Namespace(data_dir=None, service=None))
        env["SRDI_MIGRATE_ON_START"] = "false"  # migrated once above: a (re)started service does not again
        # Made from `env` once it is complete (the NATS URL, no migration). The services verify only:
        # they never get the private key, and are told the public keys.
        service_env = {k: v for k, v in env.items() if k != "SRDI_JWT_PRIVATE_KEY"}
        if not settings.jwt_public_keys:
            service_env["SRDI_JWT_PUBLIC_KEYS"] = "".join(public_pem(k) for k in keys.values())

        def start(service: str) -> None:
            procs[service] = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", f"services.{service}.main:app", "--host", settings.host,
                 "--port", str(settings.port(service)), "--no-access-log", "--log-level", "warning"], env=service_env)

        def start_portal() -> None:  # the web frontend: no database, no events
            procs["portal"] = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "services.portal.main:app", "--host", settings.host,
                 "--port", str(settings.port("portal")), "--no-access-log", "--log-level", "warning"], env=env)

        for service in available_services():
            start(service)
        if with_portal:
            start_portal()
        for service in procs:
            wait_port(settings.port(service), timeout=60)
            print(f"{service:<8} http://{settings.host}:{settings.port(service)}"
                  f"{'' if service == 'portal' else '  (docs: /docs)'}", flush=True)
        print("SRDI suite is up. Ctrl-C stops it.", flush=True)

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            if nats and nats.proc.poll() is not None and not stopping:  # the embedded server too
                print(f"nats-server exited with {nats.proc.returncode}; restarting", file=sys.stderr, flush=True)
                try:
                    nats.start()
                except (OSError, TimeoutError) as e:  # its port taken, a slow store: tried again next pass
                    print(f"nats-server did not come back: {e}; trying again", file=sys.stderr, flush=True)
            for service, proc in list(procs.items()):
                if proc.poll() is not None and not stopping:
                    print(f"{service} exited with {proc.returncode}; restarting", file=sys.stderr, flush=True)
                    start_portal() if service == "portal" else start(service)
            time.sleep(0.5)
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if nats:
            nats.stop()
        print("SRDI suite stopped.", flush=True)


def suite_asyncapi() -> dict:
    """Every event of the suite, with the services that send and receive it (x-senders, x-receivers)."""
    from shared.asyncapi import document

    doc = document()
    for name in available_services():
        handlers = spec_of(name).handlers
        for channel in doc["channels"].values():
            if channel["address"].startswith(f"srdi.{name}."):
                channel.setdefault("x-senders", []).append(name)
            if channel["address"] in set(handlers):
                channel.setdefault("x-receivers", []).append(name)
    return doc


def cmd_asyncapi(args) -> None:
    """The suite's event catalogue: AsyncAPI 3.0 JSON on stdout (docs/asyncapi.json), its Markdown
    rendering with --markdown (docs/events-catalogue.md), or both files written into --out DIR."""
    import json

    from shared.asyncapi import render_markdown

    doc = suite_asyncapi()
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if args.out:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "asyncapi.json").write_text(text + "\n", encoding="utf-8")
        (folder / "events-catalogue.md").write_text(render_markdown(doc), encoding="utf-8")
        print(f"wrote {folder / 'asyncapi.json'} and {folder / 'events-catalogue.md'}", file=sys.stderr)
    elif args.markdown:
        sys.stdout.write(render_markdown(doc))
    else:
        print(text)


def cmd_new_migration(args) -> None:
    """Autogenerate a service's next revision by comparing its tables with its migrations."""
    import tempfile

    from alembic import command

    from shared.db import Database
    from shared.migrate import config, upgrade

    spec = spec_of(args.service)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/probe.db")
        upgrade(db.engine, args.service, spec.migrations, spec.metadata)
        with db.engine.begin() as conn:
            command.revision(config(spec.migrations, f"alembic_version_{args.service}", spec.metadata, conn),
                             message=args.message, autogenerate=True)
        db.dispose()


def cmd_import(args) -> None:
    """Upload a municipal recognition list as an import job and show its progress."""
    import httpx

    from shared.auth import issue_token

    settings = _settings(args)
    url = args.url or f"http://{settings.host}:{settings.port('registry')}"
    try:
        token = args.token or issue_token(settings.token_signing_key, "platform")
    except RuntimeError as e:  # no issuer key here: pass --token
        sys.exit(f"srdi import: {e}")
    path = Path(args.file)
    if not path.is_file():
        sys.exit(f"srdi import: no such file: {path}")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        r = client.post("/api/v1/import-jobs", files={"file": (path.name, path.read_bytes())})
        if r.status_code >= 400:
            body = r.json() if r.headers.get("content-type", "").endswith("json") else {}
            print(body.get("detail_zh") or r.text, body.get("detail_en") or "", file=sys.stderr)
            sys.exit(2)
        job_url = r.headers.get("location") or f"/api/v1/import-jobs/{r.json()['id']}"
        try:
            while True:
                job = client.get(job_url).json()
                done, total = job.get("rows_done") or 0, job.get("rows_total") or 0
                width = 40
                filled = int(width * done / total) if total else 0
                print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {job.get('state')}",
                      end="", flush=True)
                if job.get("state") in ("done", "failed"):
                    break
                time.sleep(0.5)  # polling the job; Ctrl-C leaves it running
        except KeyboardInterrupt:
            print(f"\nthe import goes on: {url}{job_url}")
            sys.exit(130)
    print()
    report = job.get("report") or {}
    for name in ("rows", "created", "unchanged", "skipped"):
        print(f"{name:<10} {report.get(name)}")
    rejected = report.get("rejected") or []
    print(f"{'rejected':<10} {len(rejected)}")
    for item in rejected[:20]:
        print(f"  row {item['row']}: {'; '.join(item['errors'])}")
    sys.exit(0 if job.get("state") == "done" else 1)


def cmd_platform_sim(args) -> None:
    from services.registry.platform.simulator import serve

    serve(args.host, args.port, Path(args.list) if args.list else None)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="srdi", description="SRDI suite (Fangshan District 专精特新)")
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start NATS (unless SRDI_NATS_URL) and the five services")
    up.add_argument("--data-dir")
    up.set_defaults(func=cmd_up)
    token = sub.add_parser("token", help="bearer tokens")
    tsub = token.add_subparsers(dest="token_command", required=True)
    issue = tsub.add_parser("issue", help="print a signed bearer token for a role")
    issue.add_argument("--role", required=True)
    issue.add_argument("--org")
    issue.add_argument("--data-dir")
    issue.add_argument("--ttl-hours", type=int, help="the token's lifetime (default SRDI_TOKEN_TTL_HOURS; at most "
                                                      "SRDI_TOKEN_MAX_LIFETIME_HOURS)")
    issue.add_argument("--user", help="the user's stable id (the token's sub); every token of one user carries "
                                      "the same, so a retry with a new token is the same caller (default: the "
                                      "role's shared account)")
    issue.set_defaults(func=cmd_token)
    keys = sub.add_parser("keys", help="token signing keys (Ed25519)")
    ksub = keys.add_subparsers(dest="keys_command", required=True)
    gen = ksub.add_parser("generate", help="a new key pair: the issuer's private key and the services' public key")
    gen.add_argument("--out", required=True, help="a folder: OUT/jwt-signing.pem and OUT/jwt-public/<kid>.pem")
    gen.set_defaults(func=cmd_keys)
    mig = sub.add_parser("migrate", help="apply migrations to the services' databases")
    mig.add_argument("--data-dir")
    mig.add_argument("--service", action="append", choices=SERVICES)
    mig.set_defaults(func=cmd_migrate)
    new = sub.add_parser("new-migration", help="autogenerate a service's next Alembic revision")
    new.add_argument("service", choices=SERVICES)
    new.add_argument("-m", "--message", required=True)
    new.set_defaults(func=cmd_new_migration)
    events = sub.add_parser("asyncapi", help="print the suite's event catalogue as AsyncAPI 3.0 (docs/asyncapi.json)")
    out = events.add_mutually_exclusive_group()
    out.add_argument("--markdown", action="store_true",
                     help="print the catalogue as Markdown instead (docs/events-catalogue.md)")
    out.add_argument("--out", metavar="DIR", help="write DIR/asyncapi.json and DIR/events-catalogue.md "
                                                  "(`srdi asyncapi --out docs` regenerates both)")
    events.set_defaults(func=cmd_asyncapi)
    imp = sub.add_parser("import", help="import a municipal recognition list (CSV or XLSX) with progress")
    imp.add_argument("file")
    imp.add_argument("--data-dir")
    imp.add_argument("--url", help="the registry's URL (default: this machine's suite)")
    imp.add_argument("--token", help="a bearer token (default: a platform token from the data folder)")
    imp.set_defaults(func=cmd_import)
    sim = sub.add_parser("platform-sim", help="serve a simulator of the municipal declaration platform (a "
                                               "demonstration: set SRDI_MUNICIPAL_PLATFORM_URL to its URL)")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8009)
    sim.add_argument("--list", help="a recognition-list CSV to publish (e.g. ../shared/data/recognition-list-sample.csv)")
    sim.set_defaults(func=cmd_platform_sim)
    args = p.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
