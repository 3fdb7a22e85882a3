"""The process definitions an operator copies: systemd units, the compose file, the Helm chart.

None of them can run here (no systemd as PID 1, no `docker compose`, no `helm`, no cluster), so each is checked for
what would break it: every command is a real `stagedoor` process with options it takes, every `STAGEDOOR_*`
variable is one the configuration reads (and the values given parse), the units are verified by
`systemd-analyze verify`, and the chart — plain `{{ .Values.x }}` substitution only — rendered with its default values
equals the committed `deploy/helm/rendered-example/`, whose every manifest is valid against the Kubernetes 1.37
schemas (strict: no unknown fields) and refers only to objects the chart makes.
"""

from __future__ import annotations

import ast
import base64
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from stagedoor.conftest import require_tool
from stagedoor.core.config import load
from stagedoor.streaming.nginx import OriginConfig, render_nginx_config

from .test_nginx import REPO

DEPLOY = REPO / "deploy"
CHART = DEPLOY / "helm" / "stagedoor"
RENDERED = DEPLOY / "helm" / "rendered-example"
SYSTEMD = DEPLOY / "systemd"
PLACEHOLDER = re.compile(r"\{\{ \.Values\.([A-Za-z][A-Za-z0-9_.]*) \}\}")

# the processes and the options each takes (cli.py's parser; chat/management/commands/chat.py; Django's migrate)
PROCESSES: dict[str, set[str]] = {
    "web": {"--host", "--port"},
    "chat": {"--host", "--port"},
    "ingest": set(),
    "worker": {"--concurrency"},
    "beat": set(),
    "migrate": {"--noinput"},
    "collectstatic": {"--noinput"},
}
SERVING = {"web", "chat", "ingest", "worker", "beat"}
TEST_KEY = "k1:" + base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")


def known_variables() -> set[str]:
    """Every STAGEDOOR_* name the configuration reads: `Var("STAGEDOOR_…")` and `_env/_bool/_int("…")` in
    core/config/, and settings.py's own few."""
    names: set[str] = set()
    sources = [
        *sorted((REPO / "src" / "stagedoor" / "core" / "config").glob("*.py")),
        REPO / "src/stagedoor/settings.py",
    ]
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            first = node.args[0].value
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if isinstance(first, str) and first.startswith("STAGEDOOR_"):
                names.add(first)
            elif func in {"_env", "_bool", "_int"} and isinstance(first, str):
                names.add("STAGEDOOR_" + first)
    return names


def check_command(argv: list[str]) -> str:
    assert argv[0] in {"stagedoor", "/opt/stagedoor/.venv/bin/stagedoor"}, argv
    process, options = argv[1], [a for a in argv[2:] if a.startswith("--")]
    assert process in PROCESSES, argv
    assert set(options) <= PROCESSES[process], argv
    for option in options:  # every option but the flags has a value
        if option != "--noinput":
            assert argv[argv.index(option) + 1] and not argv[argv.index(option) + 1].startswith("--"), argv
    return process


def check_environment(env: dict[str, str]) -> None:
    names = {name for name in env if name.startswith("STAGEDOOR_")}
    assert names and names <= known_variables(), names - known_variables()
    values = {name: str(value) for name, value in env.items() if name in names}
    values["STAGEDOOR_ENCRYPTION_KEYS"] = TEST_KEY  # the files carry a placeholder
    values = {k: re.sub(r"\$\{([A-Z_]+):\?[^}]*\}", "x" * 40, v) for k, v in values.items()}  # compose's ${X:?…}
    load(values)  # raises ConfigError naming the first wrong one


def test_known_variables_are_what_load_reads() -> None:
    known = known_variables()
    assert {
        "STAGEDOOR_DATABASE_URL",
        "STAGEDOOR_CHAT_URL",
        "STAGEDOOR_SHOWS_JANUS_URL",
        "STAGEDOOR_RATE_LIMITS",
    } <= known
    assert "STAGEDOOR_WORKER_CONCURRENCY" not in known and len(known) > 100


# --- systemd -------------------------------------------------------------------------------------------------------

HARDENING = {
    "User": "stagedoor",
    "Group": "stagedoor",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectControlGroups": "yes",
    "RestrictNamespaces": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "SystemCallFilter": "@system-service",
    "CapabilityBoundingSet": "",
    "ReadWritePaths": "/var/lib/stagedoor",
    "EnvironmentFile": "/etc/stagedoor/stagedoor.env",
}


def unit_sections(path: Path) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, sep, value = line.partition("=")
        assert sep and key not in current, f"{path.name}: {line!r}"
        current[key] = value
    return sections


def test_systemd_units_run_every_process_hardened() -> None:
    seen = set()
    for unit in sorted(SYSTEMD.glob("*.service")):
        service = unit_sections(unit)["Service"]
        for key, value in HARDENING.items():
            assert service.get(key) == value, f"{unit.name}: {key}={service.get(key)!r}"
        argv = shlex.split(service["ExecStart"].replace("%i", "8000"))
        seen.add(check_command(argv))
        if unit.name.endswith("@.service"):
            assert argv[argv.index("--port") + 1] == "8000"  # the instance is the port
    assert seen == SERVING | {"migrate"}
    env = dict(
        line.split("=", 1)
        for line in (SYSTEMD / "stagedoor.env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    check_environment(env)
    assert "STAGEDOOR_CHAT_HOST" in env  # stagedoor-chat@ passes it as --host


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze", install_hint="systemd")
    stagedoor = str(Path(sys.executable).with_name("stagedoor"))
    files = []
    for unit in [*sorted(SYSTEMD.glob("*.service")), SYSTEMD / "stagedoor.target"]:
        text = unit.read_text().replace("/opt/stagedoor/.venv/bin/stagedoor", stagedoor)
        name = unit.name.replace("@.service", "@8000.service")
        (tmp_path / name).write_text(text.replace("EnvironmentFile=/", "EnvironmentFile=-/"))  # not on this machine
        files.append(str(tmp_path / name))
    verified = subprocess.run([analyze, "verify", *files], capture_output=True, text=True, timeout=60)
    assert (verified.returncode, verified.stderr) == (0, "")


# --- compose -------------------------------------------------------------------------------------------------------


def test_compose_brings_up_every_process_with_known_settings() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services: dict[str, Any] = compose["services"]
    stagedoor = {name: s for name, s in services.items() if s.get("image") == "stagedoor:latest"}
    assert set(services) - set(stagedoor) == {"postgres", "redis", "nginx"}
    processes = {name: check_command(s["command"]) for name, s in stagedoor.items()}
    assert set(processes.values()) == SERVING | {"migrate", "collectstatic"}
    for name, service in stagedoor.items():
        check_environment(service["environment"])
        if processes[name] in SERVING:
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    assert services["web"]["deploy"]["replicas"] == 2 and services["chat"]["deploy"]["replicas"] == 2
    for service in services.values():  # every named volume is declared
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith("./") or source in compose["volumes"], volume
    assert "./compose/nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]


def test_compose_nginx_config_is_the_commands_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from stagedoor.deploy.command import main

    header = (DEPLOY / "compose.yaml").read_text().split("#   stagedoor deploy nginx ", 1)[1].split("\n# (", 1)[0]
    args = shlex.split(header.replace("\\\n#    ", " "))
    main(["nginx", *args], load({"STAGEDOOR_VAR_DIR": str(tmp_path)}))
    assert capsys.readouterr().out == (DEPLOY / "compose" / "nginx.conf").read_text()
    assert "server web:8000 max_fails=1 fail_timeout=10s;" in (DEPLOY / "compose" / "nginx.conf").read_text()


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    """Only where `docker compose` exists (not on the CI machine): the structure above is checked everywhere."""
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("docker compose is not installed (the compose file's structure is checked above)")
    env = {"POSTGRES_PASSWORD": "p", "STAGEDOOR_SECRET_KEY": "s" * 40, "STAGEDOOR_ENCRYPTION_KEYS": TEST_KEY}
    checked = subprocess.run(
        [docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    assert checked.returncode == 0, checked.stderr


# --- Helm ----------------------------------------------------------------------------------------------------------


def render_template(text: str, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found: Any = values
        for part in match.group(1).split("."):
            found = found[part]
        assert isinstance(found, str | int) and not isinstance(found, bool), match.group(0)
        return str(found)

    rendered = PLACEHOLDER.sub(value, text)
    assert "{{" not in rendered and "}}" not in rendered, "only plain {{ .Values.x }} substitution in templates"
    return rendered


def render_chart() -> dict[str, str]:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    return {t.name: render_template(t.read_text(), values) for t in sorted((CHART / "templates").glob("*.yaml"))}


def test_the_rendered_example_is_the_chart_with_its_default_values() -> None:
    rendered = render_chart()
    assert sorted(p.name for p in RENDERED.glob("*.yaml")) == sorted(rendered)
    for name, text in rendered.items():
        assert (RENDERED / name).read_text() == text, f"re-render {name} (docs/deploy.md, 'Helm')"


def rendered_objects() -> list[dict[str, Any]]:
    return [doc for path in sorted(RENDERED.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_rendered_manifests_are_valid_kubernetes() -> None:
    import kubernetes_validate

    objects = rendered_objects()
    assert len(objects) == 16
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, "1.37.0", strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")


def test_rendered_manifests_fit_together() -> None:
    objects = rendered_objects()
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
    processes = {}
    for name, deployment in by_kind["Deployment"].items():
        pod = deployment["spec"]["template"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
        container = pod["spec"]["containers"][0]
        for volume in pod["spec"]["volumes"]:
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in by_kind["PersistentVolumeClaim"]
            if "configMap" in volume:
                assert volume["configMap"]["name"] in by_kind["ConfigMap"]
        if container["image"] == "nginx:1.27":
            continue
        processes[name] = check_command(container["command"])
        assert [e.get("configMapRef", e.get("secretRef"))["name"] for e in container["envFrom"]] == [
            "stagedoor-env",
            "stagedoor-secrets",
        ]
    assert sorted(processes.values()) == sorted(SERVING)
    assert by_kind["Deployment"]["stagedoor-beat"]["spec"]["replicas"] == 1  # exactly one scheduler
    check_environment(by_kind["ConfigMap"]["stagedoor-env"]["data"])
    # every Service selects a Deployment's pods and names a port they expose
    for service in by_kind["Service"].values():
        targets = [
            d
            for d in by_kind["Deployment"].values()
            if service["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(targets) == 1, service["metadata"]["name"]
        ports = {p["name"] for p in targets[0]["spec"]["template"]["spec"]["containers"][0]["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports
    # the Ingresses route to Services and ports that exist
    routes = {}
    for ingress in by_kind["Ingress"].values():
        for path in ingress["spec"]["rules"][0]["http"]["paths"]:
            backend = path["backend"]["service"]
            service = by_kind["Service"][backend["name"]]
            assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
            routes[path["path"]] = backend["name"]
    assert routes == {"/chat/": "stagedoor-chat", "/": "stagedoor-web", "/live/": "stagedoor-media"}
    # migrations run as a hook before install and every upgrade, and must succeed first time
    job = by_kind["Job"]["stagedoor-migrate"]
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert check_command(job["spec"]["template"]["spec"]["containers"][0]["command"]) == "migrate"
    assert job["spec"]["backoffLimit"] == 0


def test_the_media_origin_runs_the_origin_renderers_config() -> None:
    configmap = yaml.safe_load((RENDERED / "media-configmap.yaml").read_text())
    expected = render_nginx_config(
        OriginConfig(
            media_root=Path("/var/lib/stagedoor/media"),
            auth_upstream="stagedoor-web:8000",
            listen="8080",
            state_dir=Path("/tmp/nginx"),
        )
    )
    assert configmap["data"]["nginx.conf"] == expected
