"""deploy/: the container, compose file and systemd units run exactly the processes
of deploy/Procfile, and the Procfile's commands work.

No Docker daemon runs here, so the container files are checked by reading them:
they are thin wrappers around deploy/run, which runs a Procfile line by name, and
deploy/run itself is run for real below (the web line serves /health/live).
"""

import ipaddress
import json
import os
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROCESSES = ("web", "worker", "scheduler")
VM_ROOT = "/opt/chronicle"


def procfile():
    processes = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, command = line.partition(":")
        assert name not in processes, f"{name} twice in the Procfile"
        processes[name] = command.strip()
    return processes


def dockerfile_instruction(name):
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    (value,) = [line[len(name) + 1 :] for line in lines if line.startswith(name + " ")]
    return json.loads(value)


def systemd_unit(name):
    """The [Service] section's settings: key -> list of values (Environment=
    appears several times)."""
    settings, section = {}, None
    for line in (DEPLOY / "systemd" / f"{name}.service").read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def test_the_procfile_names_each_process_and_its_commands_exist():
    processes = procfile()
    assert set(processes) == {*PROCESSES, "release"}
    commands = get_commands()
    for name in ("worker", "scheduler"):
        argv = shlex.split(processes[name])
        assert argv[:2] == ["python", "manage.py"], name
        assert argv[2] in commands, f"{name}: no manage.py {argv[2]}"
    # The worker that lets the others know at once when it was killed (ops.worker_lock).
    assert shlex.split(processes["worker"])[2] == "run_worker"
    for step in processes["release"].split("&&"):
        argv = shlex.split(step)
        assert argv[:2] == ["python", "manage.py"] and argv[2] in commands, step
    assert shlex.split(processes["web"])[:2] == ["gunicorn", "chronicle.wsgi"]


def test_the_image_runs_a_procfile_process_by_name():
    assert dockerfile_instruction("ENTRYPOINT") == ["deploy/run"]
    assert dockerfile_instruction("CMD") == ["web"]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "DJANGO_SETTINGS_MODULE=chronicle.settings.production" in dockerfile
    assert "PORT=8000" in dockerfile


def test_compose_runs_the_procfile_processes_and_what_they_need():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    app_services = {
        name: service
        for name, service in services.items()
        if service.get("image") == "chronicle:latest"
    }
    assert set(app_services) == {*PROCESSES, "release"}
    for name, service in app_services.items():
        # The image's entrypoint (deploy/run) is kept and given the process name.
        assert "entrypoint" not in service, name
        assert service["command"] == name
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        environment = service["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "chronicle.settings.production"
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert "@db:5432/" in environment["DATABASE_URL"]
    for name in PROCESSES:
        assert app_services[name]["depends_on"]["release"] == {
            "condition": "service_completed_successfully"
        }
    assert {"db", "redis", "proxy", "clamav"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["proxy"]["ports"][:2] == ["80:80", "443:443"]
    # Every app service writes case files to the same place.
    private = "private-media:/var/lib/chronicle/private-media"
    assert all(private in s["volumes"] for s in app_services.values())
    # The app trusts X-Forwarded-For from the proxy's fixed address and nothing
    # else: a school's LAN is a private range too.
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    subnets = [c["subnet"] for c in compose["networks"]["default"]["ipam"]["config"]]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnets[0])
    for name, service in app_services.items():
        assert service["environment"]["TRUSTED_PROXIES"] == proxy_address, name


def test_the_proxies_send_requests_to_the_port_the_web_process_listens_on():
    web_unit = systemd_unit("chronicle-web")
    assert "PORT=8000" in web_unit["Environment"]
    assert "reverse_proxy web:8000" in (DEPLOY / "Caddyfile").read_text()
    nginx = (DEPLOY / "nginx" / "chronicle.conf").read_text()
    assert "server 127.0.0.1:8000" in nginx
    assert "proxy_pass http://chronicle_web;" in nginx
    # The proxy replaces the client's X-Forwarded-For; the app believes it from
    # there (chronicle.proxy) and nowhere else.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    env_example = (DEPLOY / "systemd" / "chronicle.env.example").read_text()
    assert "TRUSTED_PROXIES=127.0.0.1\n" in env_example
    # Private files are never served by the proxy.
    assert "private-media" not in nginx
    assert "private-media" not in (DEPLOY / "Caddyfile").read_text()


@pytest.mark.parametrize("name", PROCESSES)
def test_each_systemd_unit_runs_its_procfile_process(name):
    unit = systemd_unit(f"chronicle-{name}")
    assert unit["ExecStart"] == [f"{VM_ROOT}/deploy/run {name}"]
    assert unit["WorkingDirectory"] == [VM_ROOT]
    assert (
        f"PATH={VM_ROOT}/.venv/bin:/usr/local/bin:/usr/bin:/bin"
        in (unit["Environment"])
    )
    assert (
        "DJANGO_SETTINGS_MODULE=chronicle.settings.production" in (unit["Environment"])
    )
    assert unit["User"] == ["chronicle"]
    assert unit["Restart"] == ["always"]


def test_deploy_run_runs_the_named_line_through_a_shell(tmp_path):
    (tmp_path / "Procfile").write_text(
        "web: echo serving on $PORT from $(pwd)\nrelease: echo one && echo two\n"
    )
    env = {**os.environ, "PROCFILE": str(tmp_path / "Procfile"), "PORT": "8123"}
    run = [str(DEPLOY / "run")]
    web = subprocess.run([*run, "web"], env=env, capture_output=True, text=True)
    assert web.stdout == f"serving on 8123 from {ROOT}\n"
    release = subprocess.run([*run, "release"], env=env, capture_output=True, text=True)
    assert release.stdout == "one\ntwo\n"
    missing = subprocess.run([*run, "wrker"], env=env, capture_output=True, text=True)
    assert missing.returncode == 64
    assert "no process called 'wrker'" in missing.stderr


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_web_line_serves_and_stops_on_sigterm(tmp_path):
    """The real Procfile's web line through deploy/run: gunicorn with
    deploy/gunicorn.conf.py answers /health/live, and SIGTERM (docker stop,
    systemctl stop) reaches gunicorn itself, which stops cleanly."""
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "chronicle.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    log = open(tmp_path / "web.log", "w")
    web = subprocess.Popen(
        [str(DEPLOY / "run"), "web"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        response = None
        deadline = time.monotonic() + 60
        while response is None and time.monotonic() < deadline:
            assert web.poll() is None, (tmp_path / "web.log").read_text()
            try:
                response = requests.get(
                    f"http://127.0.0.1:{port}/health/live",
                    headers={"Host": "localhost"},
                    timeout=60,  # the first request loads Django
                )
            except requests.ConnectionError:
                time.sleep(0.2)
        assert response is not None, (tmp_path / "web.log").read_text()
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        web.send_signal(signal.SIGTERM)
        assert web.wait(timeout=60) == 0
        assert "Shutting down: Master" in (tmp_path / "web.log").read_text()
    finally:
        if web.poll() is None:
            web.kill()
            web.wait()
        log.close()
