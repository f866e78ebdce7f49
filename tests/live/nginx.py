"""nginx with the shipped deploy/nginx.conf, on loopback, as the current user."""

import getpass
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from tests.live.servers import ROOT, free_port, stop_and_read_log

SHIPPED_CONF = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_available() -> bool:
    return Path(NGINX).exists()


def render_conf(*, upstreams: list[str], port: int, static_root: Path, workdir: Path) -> str:
    """The shipped config with loopback addresses and paths under `workdir`.

    Only the lines docker-compose.yml binds to its own network are replaced, each exactly once
    (comments left alone); everything else runs as shipped.
    """
    temp_paths = "".join(f"    {name}_temp_path {workdir / name};\n" for name in TEMP_DIRS)
    replacements = {
        "server web1:8000;": f"server {upstreams[0]};",
        "server web2:8000;": f"server {upstreams[1]};",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "alias /srv/static/;": f"alias {static_root}/;",
        "access_log /var/log/nginx/access.log;": f"access_log {workdir / 'access.log'};",
        "http {": "http {\n" + temp_paths,
    }
    used = dict.fromkeys(replacements, 0)
    lines = []
    for line in SHIPPED_CONF.read_text().splitlines(keepends=True):
        stripped = line.strip()
        if stripped in replacements:
            used[stripped] += 1
            line = line.replace(stripped, replacements[stripped])
        lines.append(line)
    assert all(count == 1 for count in used.values()), f"deploy/nginx.conf changed: {used}"
    return "".join(lines)


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


@contextmanager
def nginx(upstreams: list[str], static_root: Path, workdir: Path):
    """Run nginx in the foreground in front of `upstreams`; yields its base address."""
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(
        render_conf(upstreams=upstreams, port=port, static_root=static_root, workdir=workdir)
    )
    # `user` only matters when started as root: keep the workers able to read `workdir`.
    directives = f"daemon off; pid {workdir / 'nginx.pid'}; user {getpass.getuser()};"
    log = open(workdir / "error.log", "w+b")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(conf), "-e", "stderr", "-g", directives],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process)
        yield f"127.0.0.1:{port}"
    finally:
        output = stop_and_read_log(process, log)
        assert "[emerg]" not in output and "[alert]" not in output, output
