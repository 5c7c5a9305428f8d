"""What can be checked of the deployment files without a Docker engine."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_declares_the_system():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"redis", "postgres", "migrate", "ingest", "extract", "store"} <= services.keys()
    assert "--appendonly" in " ".join(services["redis"]["command"])
    assert "--maxmemory-policy noeviction" in " ".join(services["redis"]["command"])
    assert services["extract"]["deploy"]["replicas"] >= 2
    for name in ("ingest", "extract", "store"):
        assert services[name]["healthcheck"]["test"]
        assert (ROOT / services[name]["build"]["dockerfile"]).exists()
    assert services["store"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_no_lock_file_with_download_addresses():
    for name in ("uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock"):
        assert not (ROOT / name).exists()
    assert "://" not in (ROOT / "constraints.txt").read_text()
