"""The deployment files that cannot run here (no container engine): the compose file, the
image definition, the systemd units and the Caddyfiles are checked against what the app reads
(server/settings.py), what its command accepts (server/cli.py) and against the local cluster,
which runs the same commands with the same variables and is tested for real."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from server.cli import build_parser
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = {f"RAZEM_{name.upper()}" for name in Settings.model_fields}
RAZEM_SERVICES = ("migrate", "app1", "app2", "scheduler")


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def razem_command(argv: list[str]) -> str:
    """The subcommand of a `razem …` command line, as the app's own parser reads it."""
    assert argv[0].endswith("razem"), argv
    args = build_parser().parse_args(argv[1:])
    return " ".join(a for a in argv[1:3] if not a.startswith("-")) if args else ""


def test_compose_has_postgresql_two_instances_a_scheduler_a_migration_and_caddy() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "app1", "app2", "scheduler", "caddy"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["caddy"]["image"].startswith("caddy:")
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]
    commands = {name: services[name]["command"] for name in RAZEM_SERVICES}
    assert commands["migrate"] == ["razem", "db", "upgrade"]
    assert commands["app1"] == commands["app2"] == [
        "razem", "serve", "--host", "0.0.0.0", "--port", "8000"  # noqa: S104 (in a container)
    ]  # fmt: skip
    assert commands["scheduler"] == ["razem", "scheduler"]
    for argv in commands.values():
        razem_command(argv)  # the app's parser accepts it
    for name in ("app1", "app2", "scheduler"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        assert needs["db"]["condition"] == "service_healthy"
    assert set(services["caddy"]["depends_on"]) == {"app1", "app2"}


def local_cluster_env(folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """What deploy/local_cluster.py gives every instance and the scheduler."""
    spec = importlib.util.spec_from_file_location("local_cluster", DEPLOY / "local_cluster.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "local_cluster", module)
    spec.loader.exec_module(module)
    for name in list(os.environ):
        if name.startswith("RAZEM_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RAZEM_CLUSTER_DIR", str(folder))
    (folder / "secret").write_text("x" * 40)
    env = module.app_env(module.Config.from_env())
    return {k: v for k, v in env.items() if k.startswith("RAZEM_")}


def test_compose_sets_only_variables_the_app_reads_and_the_cluster_sets_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose()["services"]
    for name in RAZEM_SERVICES:
        env = services[name]["environment"]
        unknown = {key for key in env if key.startswith("RAZEM_")} - SETTINGS
        assert not unknown, (name, unknown)
        assert env["RAZEM_DATABASE_URL"].startswith("postgresql://")
        assert env["RAZEM_RUN_JOBS"] == "false"  # jobs in the scheduler only
        assert env["RAZEM_SECURE_COOKIES"] == "true"
        # the proxy's fixed address is the only one trusted with X-Forwarded-For
        caddy_address = services["caddy"]["networks"]["default"]["ipv4_address"]
        assert env["RAZEM_TRUSTED_PROXIES"] == caddy_address
        # the settings accept these values
        Settings(**{k.removeprefix("RAZEM_").lower(): v for k, v in env.items() if "${" not in v})

    source = (DEPLOY / "local_cluster.py").read_text()
    cluster_env = local_cluster_env(tmp_path, monkeypatch)
    cluster_vars = set(cluster_env)
    for key in ("RAZEM_RUN_JOBS", "RAZEM_SECURE_COOKIES"):
        assert cluster_env[key] == services["app1"]["environment"][key]
    assert cluster_vars <= SETTINGS
    compose_vars = {k for k in services["app1"]["environment"] if k.startswith("RAZEM_")}
    # the same settings, apart from the ones a container gets from its image or the cluster
    # sets for loopback (the folder, the self-hosted htmx copy, a second language default)
    assert compose_vars - cluster_vars <= {"RAZEM_TIMEZONE", "RAZEM_DEFAULT_LANGUAGE"}
    assert cluster_vars - compose_vars <= {"RAZEM_DATA_DIR", "RAZEM_HTMX_URL"}
    for command in ('"serve", "--host", "127.0.0.1", "--port"', '"scheduler"', '"db", "upgrade"'):
        assert command in source, command


def test_example_environment_files_name_only_settings_the_app_reads() -> None:
    for path in (DEPLOY / "env.example", DEPLOY / "systemd" / "razem.env.example"):
        names = set(re.findall(r"^#?\s*(RAZEM_[A-Z_]+)=", path.read_text(), re.M))
        assert names and names <= SETTINGS, (path, names - SETTINGS)
    compose_text = (DEPLOY / "compose.yaml").read_text()
    needed = set(re.findall(r"\$\{([A-Z_]+)", compose_text))
    example = set(re.findall(r"^([A-Z_]+)=", (DEPLOY / "env.example").read_text(), re.M))
    assert needed <= example, needed - example


def test_the_image_runs_as_a_user_and_migrates_then_serves() -> None:
    text = (DEPLOY / "Containerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", text, re.M)
    assert re.search(r"^USER razem$", text, re.M)
    for folder in ("server", "web", "service_worker"):
        assert f"COPY {folder} ./{folder}" in text
    command = re.search(r'^CMD \["sh", "-c", "(.+)"\]$', text, re.M)
    assert command is not None
    first, second = command.group(1).split(" && ")
    assert first == "razem db upgrade"
    assert second.startswith("exec ")
    razem_command(shlex.split(first))
    razem_command(shlex.split(second.removeprefix("exec ")))
    assert "/healthz" in text


def test_the_systemd_units_run_the_same_commands() -> None:
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").glob("*.service")}
    assert set(units) == {"razem.service", "razem-scheduler.service"}
    starts = {
        name: shlex.split(re.search(r"^ExecStart=(.+)$", text, re.M).group(1))  # type: ignore[union-attr]
        for name, text in units.items()
    }
    assert starts["razem.service"][1:] == ["serve", "--host", "127.0.0.1", "--port", "8000"]
    assert starts["razem-scheduler.service"][1:] == ["scheduler"]
    pre = re.search(r"^ExecStartPre=(.+)$", units["razem.service"], re.M)
    assert pre and shlex.split(pre.group(1))[1:] == ["db", "upgrade"]
    for name, text in units.items():
        razem_command(starts[name])
        assert "User=razem" in text and "EnvironmentFile=/etc/razem.env" in text
        assert "ReadWritePaths=/var/lib/razem" in text
    assert "After=" in units["razem-scheduler.service"]
    assert "razem.service" in re.search(
        r"^After=(.+)$", units["razem-scheduler.service"], re.M
    ).group(1)  # type: ignore[union-attr]


def proxy_block(path: Path) -> list[str]:
    """The reverse_proxy options of a Caddyfile, one per line."""
    text = path.read_text()
    block = re.search(r"^\treverse_proxy [^\n]+ \{\n(.*?)\n\t\}", text, re.S | re.M)
    assert block is not None, path
    lines = (line.strip() for line in block.group(1).splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_the_compose_caddyfile_balances_like_the_tested_local_cluster() -> None:
    compose_options = proxy_block(DEPLOY / "Caddyfile")
    # the same options; the body buffer is spelt one way by Caddy 2.7+ (the compose image),
    # another by Debian's 2.6 (the local cluster)
    cluster_options = [
        "request_buffers 4MiB" if line == "buffer_requests" else line
        for line in proxy_block(DEPLOY / "local-cluster" / "Caddyfile")
    ]
    assert compose_options == cluster_options
    assert "buffer_requests" in proxy_block(DEPLOY / "systemd" / "Caddyfile")
    assert "health_uri /healthz" in compose_options
    assert "health_uri /healthz" in proxy_block(DEPLOY / "systemd" / "Caddyfile")
    assert "reverse_proxy app1:8000 app2:8000" in (DEPLOY / "Caddyfile").read_text()
    assert "reverse_proxy 127.0.0.1:8000" in (DEPLOY / "systemd" / "Caddyfile").read_text()


@pytest.mark.parametrize("caddyfile", ["Caddyfile", "systemd/Caddyfile", "local-cluster/Caddyfile"])
def test_every_caddyfile_is_read_by_caddy(caddyfile: str, tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.fail("caddy is not installed (scripts/test.sh installs it with apt-get)")
    env = {
        **os.environ,
        "DOMAIN": "razem.example.org",
        "RAZEM_CLUSTER_DIR": "/nonexistent",
        "RAZEM_CLUSTER_HTTPS_PORT": "8443",
        "RAZEM_CLUSTER_UPSTREAMS": "127.0.0.1:8001 127.0.0.1:8002",
    }
    path = DEPLOY / caddyfile
    version = subprocess.run([caddy, "version"], capture_output=True, text=True).stdout
    if caddyfile == "Caddyfile" and version.lstrip("v").startswith("2.6"):
        # The compose image runs Caddy 2.7+, which spells the body buffer `request_buffers`;
        # Debian's 2.6 reads the rest of the file as it is.
        path = tmp_path / "Caddyfile"
        text = (DEPLOY / caddyfile).read_text()
        assert "\t\trequest_buffers 4MiB\n" in text
        path.write_text(text.replace("\t\trequest_buffers 4MiB\n", "\t\tbuffer_requests\n"))
    done = subprocess.run(
        [caddy, "adapt", "--config", str(path), "--adapter", "caddyfile"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert '"uri":"/healthz"' in done.stdout.replace(" ", "")
