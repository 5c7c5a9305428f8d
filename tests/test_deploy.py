"""What can be checked of the deployment files without a Docker engine."""

import re
from pathlib import Path

import promql_parser
import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS = ROOT / "deploy" / "prometheus"


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


def exposed_series() -> set[str]:
    """Every series name the three services can put on /metrics (they share one registry
    here, as each process shares it with its own modules)."""
    import extract.main  # noqa: F401 - importing registers each service's metrics
    import ingest.main  # noqa: F401
    import store.main  # noqa: F401

    suffixes = {"counter": ["_total"], "gauge": [""], "histogram": ["_bucket", "_sum", "_count"],
                "summary": ["_sum", "_count"]}
    return {family.name + suffix for family in REGISTRY.collect() for suffix in suffixes.get(family.type, [""])}


def test_alert_rules_name_only_metrics_the_services_expose():
    rules = [r for group in yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"] for r in group["rules"]]
    assert len(rules) >= 8
    exposed = exposed_series()
    for rule in rules:
        assert rule["alert"].startswith("CouncilWatch")
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        promql_parser.parse(rule["expr"])  # PromQL that Prometheus would load (syntax and types)
        named = set(re.findall(r"\b(?:councilwatch|ingest|extract|webhook|store)_[a-z_]+\b", rule["expr"]))
        assert named or "up{" in rule["expr"], rule["alert"]
        assert named <= exposed, (rule["alert"], named - exposed)


def test_prometheus_scrapes_each_service_on_its_port_and_loads_the_rules():
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert all((PROMETHEUS / name).exists() for name in config["rule_files"])
    from extract.settings import ExtractSettings
    from ingest.settings import IngestSettings
    from store.settings import StoreSettings

    admin = {"COUNCILWATCH_ADMIN_KEY": "x" * 32}
    ports = {"ingest": IngestSettings().INGEST_PORT, "extract": ExtractSettings().EXTRACT_PORT,
             "store": StoreSettings(**admin).STORE_PORT}
    jobs = {job["job_name"]: job["dns_sd_configs"][0] for job in config["scrape_configs"]}
    for service, port in ports.items():
        assert jobs[f"councilwatch-{service}"] == {"names": [service], "type": "A", "port": port}
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in compose["prometheus"]["volumes"]
