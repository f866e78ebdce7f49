"""docker-compose.yml is a valid Compose file, and refuses to render without its secrets."""

import os
import shutil
import subprocess

import pytest

from tests.conftest import require
from tests.live.servers import ROOT

pytestmark = pytest.mark.topology

SECRETS = {
    "SECRET_KEY": "compose-test-secret-key",
    "PAYMENT_NOTIFY_SECRET": "compose-test-notify-secret",
    "POSTGRES_PASSWORD": "composetest",
    "ALLOWED_HOSTS": "shop.example.com",
}


def compose_config(tmp_path, env: dict) -> subprocess.CompletedProcess:
    """`docker-compose config -q` with only `env` set (an empty env file hides any local .env)."""
    docker_compose = shutil.which("docker-compose")
    require(docker_compose is not None, "docker-compose is not installed")
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    return subprocess.run(
        [docker_compose, "--env-file", str(env_file), "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_is_valid_with_the_secrets_set(tmp_path):
    result = compose_config(tmp_path, SECRETS)

    assert result.returncode == 0, result.stderr


def test_compose_file_refuses_to_render_without_the_secret_key(tmp_path):
    env = {name: value for name, value in SECRETS.items() if name != "SECRET_KEY"}

    result = compose_config(tmp_path, env)

    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr
