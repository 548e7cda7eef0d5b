"""A Razem cluster on this machine, on loopback only: a fresh PostgreSQL database, migrations,
demo data, two `razem serve` instances, one `razem scheduler`, and Caddy terminating TLS with a
certificate from a local CA this script makes, balancing over both instances with health
checks on /healthz. Run through
`deploy/local-cluster.sh up|down|status|stop-app N|start-app N|stop-proxy|start-proxy`.

Settings (environment; the defaults suit a person trying it by hand):

| variable | default | meaning |
| --- | --- | --- |
| RAZEM_CLUSTER_DIR | /tmp/razem-cluster | state: certificates, pid files, logs, secret |
| RAZEM_CLUSTER_POSTGRES | postgresql://postgres@127.0.0.1:5432/postgres | an admin connection |
| RAZEM_CLUSTER_DB | razem_cluster | the database made afresh by `up`, dropped by `down` |
| RAZEM_CLUSTER_HTTPS_PORT | 8443 | the proxy's port on 127.0.0.1 |
| RAZEM_CLUSTER_APP_PORTS | 8001,8002 | the instances' ports on 127.0.0.1 |

Other RAZEM_* variables are passed to the instances and the scheduler as they are (for example
RAZEM_DEFAULT_LANGUAGE); the ones below are set by the script. Standard library plus what the
app itself installs (psycopg), so it runs with the project's .venv python."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CADDYFILE = ROOT / "deploy" / "local-cluster" / "Caddyfile"
HTMX_LOCAL_URL = "/static/vendor/htmx-2.0.11.min.js"


@dataclass(frozen=True)
class Config:
    folder: Path
    admin_url: str
    database: str
    https_port: int
    app_ports: tuple[int, ...]

    @classmethod
    def from_env(cls) -> Config:
        ports = os.environ.get("RAZEM_CLUSTER_APP_PORTS", "8001,8002")
        return cls(
            folder=Path(os.environ.get("RAZEM_CLUSTER_DIR", "/tmp/razem-cluster")).resolve(),
            admin_url=os.environ.get(
                "RAZEM_CLUSTER_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
            ),
            database=os.environ.get("RAZEM_CLUSTER_DB", "razem_cluster"),
            https_port=int(os.environ.get("RAZEM_CLUSTER_HTTPS_PORT", "8443")),
            app_ports=tuple(int(p) for p in ports.split(",") if p.strip()),
        )

    @property
    def database_url(self) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{self.database}"

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def ca_file(self) -> Path:
        return self.folder / "tls" / "ca.pem"

    def app_url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.app_ports[number - 1]}"


def log(message: str) -> None:
    print(f"local-cluster: {message}", flush=True)


# --- certificates -------------------------------------------------------------------------


def make_certificates(cfg: Config) -> None:
    """A local CA (kept between runs, so a browser told to trust it once keeps trusting it) and
    a server certificate it signs for localhost and 127.0.0.1, made afresh by each `up`."""
    tls = cfg.folder / "tls"
    tls.mkdir(mode=0o700, parents=True, exist_ok=True)
    ca_key, ca = tls / "ca-key.pem", tls / "ca.pem"

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    if not (ca_key.exists() and ca.exists()):
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(ca_key))
        openssl(
            "req", "-x509", "-new", "-key", str(ca_key), "-sha256", "-days", "825",
            "-subj", "/CN=Razem local cluster CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", str(ca),
        )  # fmt: skip
    key, csr, cert = tls / "server-key.pem", tls / "server.csr", tls / "server.pem"
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(key))
    openssl("req", "-new", "-key", str(key), "-subj", "/CN=localhost", "-out", str(csr))
    ext = tls / "server.ext"
    ext.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        # razem.test: a name that is not loopback, to see what a real host gets (HSTS).
        "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:razem.test\n"
    )
    openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "30", "-sha256", "-extfile", str(ext), "-out", str(cert),
    )  # fmt: skip
    for path in (key, ca_key):
        path.chmod(0o600)


def spki_hash(cert: Path) -> str:
    """base64 SHA-256 of a certificate's public key (Chromium's
    --ignore-certificate-errors-spki-list takes it)."""
    pub = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"],
        check=True,
        capture_output=True,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"], input=pub, check=True, capture_output=True
    ).stdout
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-binary"], input=der, check=True, capture_output=True
    ).stdout
    return base64.b64encode(digest).decode()


# --- database -----------------------------------------------------------------------------


def _admin(sql: str, cfg: Config) -> None:
    import psycopg

    with psycopg.connect(cfg.admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type,unused-ignore]


def create_database(cfg: Config) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{cfg.database}" WITH (FORCE)', cfg)
    _admin(f'CREATE DATABASE "{cfg.database}"', cfg)


def drop_database(cfg: Config) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{cfg.database}" WITH (FORCE)', cfg)


# --- processes ----------------------------------------------------------------------------


def razem_command() -> list[str]:
    """The `razem` command of this checkout's virtual environment."""
    script = Path(sys.executable).with_name("razem")
    return [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]


def app_env(cfg: Config) -> dict[str, str]:
    """What every instance and the scheduler get: the same database and secret (CSRF tokens
    made by one instance are checked by the other), jobs only in the scheduler, and Secure
    cookies (the browser only ever talks to the app through the HTTPS proxy)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("RAZEM_CLUSTER_")}
    return {
        **inherited,
        "RAZEM_DATABASE_URL": cfg.database_url,
        "RAZEM_SECRET_KEY": (cfg.folder / "secret").read_text().strip(),
        "RAZEM_DATA_DIR": str(cfg.folder / "data"),
        "RAZEM_HTMX_URL": os.environ.get("RAZEM_HTMX_URL", HTMX_LOCAL_URL),
        "RAZEM_SECURE_COOKIES": "true",
        "RAZEM_RUN_JOBS": "false",
        "RAZEM_TRUSTED_PROXIES": "127.0.0.1",
    }


def pid_file(cfg: Config, name: str) -> Path:
    return cfg.folder / "run" / f"{name}.pid"


STARTED: dict[str, subprocess.Popen[bytes]] = {}


def spawn(cfg: Config, name: str, command: list[str], env: dict[str, str]) -> int:
    (cfg.folder / "run").mkdir(parents=True, exist_ok=True)
    (cfg.folder / "logs").mkdir(parents=True, exist_ok=True)
    with (cfg.folder / "logs" / f"{name}.log").open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: `down` ends it and its children
        )
    pid_file(cfg, name).write_text(f"{process.pid}\n{command[0]}\n")
    STARTED[name] = process
    return process.pid


def running_pid(cfg: Config, name: str) -> int | None:
    """The pid of a process this script started, if it still runs (its command line must
    still be the one started, so a reused pid is never signalled)."""
    path = pid_file(cfg, name)
    if not path.exists():
        return None
    pid_text, _, program = path.read_text().partition("\n")
    pid = int(pid_text)
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    started = program.strip().encode()
    if stat.rsplit(")", 1)[-1].split()[0] == "Z" or started not in cmdline[:2]:
        return None
    return pid


def stop(cfg: Config, name: str, timeout: float = 15) -> None:
    pid = running_pid(cfg, name)
    if pid is not None:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while running_pid(cfg, name) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        if running_pid(cfg, name) is not None:
            os.killpg(pid, signal.SIGKILL)
            while running_pid(cfg, name) is not None:
                time.sleep(0.1)
    pid_file(cfg, name).unlink(missing_ok=True)


def get(url: str, cfg: Config, timeout: float = 2) -> int:
    context = (
        ssl.create_default_context(cafile=str(cfg.ca_file)) if url.startswith("https") else None
    )
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def wait_healthy(cfg: Config, name: str, url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        process = STARTED.get(name)
        if process is None or process.poll() is not None:
            tail = (cfg.folder / "logs" / f"{name}.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"local-cluster: {name} exited:\n{tail}")
        if get(url, cfg) == 200:
            return
        time.sleep(0.2)
    raise SystemExit(f"local-cluster: {name} did not answer {url} within {seconds:.0f}s")


def start_app(cfg: Config, number: int) -> None:
    name = f"app-{number}"
    if running_pid(cfg, name) is not None:
        return
    port = cfg.app_ports[number - 1]
    command = [*razem_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    spawn(cfg, name, command, app_env(cfg))
    wait_healthy(cfg, name, f"{cfg.app_url(number)}/healthz")


def start_proxy(cfg: Config) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        raise SystemExit("local-cluster: caddy is not installed (apt-get install caddy)")
    upstreams = " ".join(f"127.0.0.1:{port}" for port in cfg.app_ports)
    env = {
        **os.environ,
        "RAZEM_CLUSTER_DIR": str(cfg.folder),
        "RAZEM_CLUSTER_HTTPS_PORT": str(cfg.https_port),
        "RAZEM_CLUSTER_UPSTREAMS": upstreams,
        "XDG_DATA_HOME": str(cfg.folder / "caddy"),
        "XDG_CONFIG_HOME": str(cfg.folder / "caddy"),
    }
    command = [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
    spawn(cfg, "proxy", command, env)
    wait_healthy(cfg, "proxy", f"{cfg.url}/healthz")


def names(cfg: Config) -> list[str]:
    return ["proxy", "scheduler", *(f"app-{i}" for i in range(1, len(cfg.app_ports) + 1))]


# --- commands -----------------------------------------------------------------------------


def up(cfg: Config) -> None:
    if any(running_pid(cfg, name) for name in names(cfg)):
        raise SystemExit(f"local-cluster: already running in {cfg.folder} (run `down` first)")
    for tool in ("openssl", "caddy"):
        if shutil.which(tool) is None:
            raise SystemExit(f"local-cluster: {tool} is not installed")
    cfg.folder.mkdir(parents=True, exist_ok=True)
    (cfg.folder / "data").mkdir(exist_ok=True)
    secret = cfg.folder / "secret"
    secret.write_text(secrets.token_urlsafe(48) + "\n")
    secret.chmod(0o600)
    make_certificates(cfg)
    log(f"database {cfg.database} (fresh), migrations, demo data")
    create_database(cfg)
    env = app_env(cfg)
    subprocess.run([*razem_command(), "db", "upgrade"], cwd=ROOT, env=env, check=True)
    seed = "from server.cli import _settings, seed_demo_database; seed_demo_database(_settings())"
    subprocess.run([sys.executable, "-c", seed], cwd=ROOT, env=env, check=True)
    for number in range(1, len(cfg.app_ports) + 1):
        start_app(cfg, number)
        log(f"app-{number} on {cfg.app_url(number)}")
    spawn(cfg, "scheduler", [*razem_command(), "scheduler"], env)
    start_proxy(cfg)
    (cfg.folder / "state.json").write_text(
        json.dumps(
            {
                "url": cfg.url,
                "database_url": cfg.database_url,
                "app_urls": [cfg.app_url(i) for i in range(1, len(cfg.app_ports) + 1)],
                "ca_file": str(cfg.ca_file),
                "spki": spki_hash(cfg.folder / "tls" / "server.pem"),
            },
            indent=2,
        )
    )
    log(f"up: {cfg.url} (trust {cfg.ca_file}; demo accounts, password razem-demo)")


def down(cfg: Config) -> None:
    for name in names(cfg):
        stop(cfg, name)
    try:
        drop_database(cfg)
    except Exception as error:  # PostgreSQL gone: nothing left to drop there
        log(f"could not drop {cfg.database}: {error}")
    for leftover in ("state.json", "secret", "data", "caddy", "run"):
        path = cfg.folder / leftover
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    log(f"down (logs kept in {cfg.folder / 'logs'})")


def status(cfg: Config) -> int:
    healthy = True
    for name in names(cfg):
        pid = running_pid(cfg, name)
        if name.startswith("app-"):
            url = f"{cfg.app_url(int(name[4:]))}/healthz"
        elif name == "proxy":
            url = f"{cfg.url}/healthz"
        else:
            url = ""
        code = get(url, cfg) if pid and url else None
        state = "stopped" if pid is None else f"pid {pid}"
        health = "" if code is None else f", /healthz {code or 'no answer'}"
        print(f"{name:<10} {state}{health}")
        healthy = healthy and pid is not None and code in (None, 200)
    return 0 if healthy else 1


def main(argv: list[str]) -> int:
    cfg = Config.from_env()
    usage = "usage: local-cluster.sh up|down|status|stop-app N|start-app N|stop-proxy|start-proxy"
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    if command == "up":
        up(cfg)
    elif command == "down":
        down(cfg)
    elif command == "status":
        return status(cfg)
    elif command == "stop-proxy":
        stop(cfg, "proxy")
        log("proxy stopped")
    elif command == "start-proxy":
        if running_pid(cfg, "proxy") is None:
            start_proxy(cfg)
        log("proxy started")
    elif command in ("stop-app", "start-app") and len(args) == 1 and args[0].isdigit():
        number = int(args[0])
        if not 1 <= number <= len(cfg.app_ports):
            print(usage, file=sys.stderr)
            return 2
        if command == "stop-app":
            stop(cfg, f"app-{number}")
        else:
            start_app(cfg, number)
        log(f"app-{number} {'stopped' if command == 'stop-app' else 'started'}")
    else:
        print(usage, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
