"""The site config renderer and `stagedoor deploy nginx`: the committed example, defaults from settings, bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stagedoor.core.config import load
from stagedoor.deploy.command import main
from stagedoor.deploy.nginx import RateLimit, SiteConfig, SiteConfigError, render_site_config

REPO = Path(__file__).resolve().parents[4]
EXAMPLE = REPO / "deploy" / "nginx" / "stagedoor.conf"
# the values docs/deploy.md shows; deploy/nginx/stagedoor.conf is this command's output
EXAMPLE_ARGS = [
    "nginx",
    "--server-name", "stagedoor.example.com",
    "--web", "10.0.1.11:8000",
    "--web", "10.0.1.12:8000",
    "--chat", "10.0.1.21:8001",
    "--chat", "10.0.1.22:8001",
    "--media-root", "/var/lib/stagedoor/media",
    "--static-root", "/var/lib/stagedoor/static",
    "--user", "www-data",
]  # fmt: skip


def base(**changes: object) -> SiteConfig:
    values: dict[str, object] = {
        "server_name": "cams.example.org",
        "web": ("10.0.0.1:8000",),
        "chat": ("10.0.0.2:8001",),
        "media_root": Path("/srv/media"),
        "static_root": Path("/srv/static"),
        "tls_cert": Path("/etc/tls/cert.pem"),
        "tls_key": Path("/etc/tls/key.pem"),
    }
    values.update(changes)
    return SiteConfig(**values)  # type: ignore[arg-type]


def test_the_committed_example_is_the_commands_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    main(EXAMPLE_ARGS, load({"STAGEDOOR_VAR_DIR": str(tmp_path)}))
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out == EXAMPLE.read_text(), "regenerate: stagedoor deploy " + " ".join(EXAMPLE_ARGS)


def test_example_routes_and_upstreams() -> None:
    """The parts of the example an operator relies on, line for line."""
    lines = [line.strip() for line in EXAMPLE.read_text().splitlines()]
    upstream_web = lines.index("upstream stagedoor_web {")
    assert lines[upstream_web : upstream_web + 6] == [
        "upstream stagedoor_web {",
        "zone stagedoor_web 64k;",
        "server 10.0.1.11:8000 max_fails=1 fail_timeout=10s;",
        "server 10.0.1.12:8000 max_fails=1 fail_timeout=10s;",
        "keepalive 32;",
        "}",
    ]
    upstream_chat = lines.index("upstream stagedoor_chat {")
    assert lines[upstream_chat : upstream_chat + 6] == [
        "upstream stagedoor_chat {",
        "zone stagedoor_chat 64k;",
        "server 10.0.1.21:8001 max_fails=1 fail_timeout=10s;",
        "server 10.0.1.22:8001 max_fails=1 fail_timeout=10s;",
        "least_conn;",
        "}",
    ]
    assert not any(line.startswith(("ip_hash", "hash ", "sticky")) for line in lines)  # nothing needs stickiness
    assert [line for line in lines if line.startswith("location")] == [
        "location ^~ /.well-known/acme-challenge/ { root /var/lib/stagedoor/acme; }",
        "location / { return 301 https://$host$request_uri; }",
        "location @stagedoor_rate_limited {",
        "location ^~ /static/ {",
        'location ~ "/[.]" { return 404; }',
        "location = /_media_auth {",
        'location ~ "^/live/[^/]+/[^/]+/(.*/)?[_.][^/]*$" { return 404; }',
        'location ~ "^/live/[^/]+/[^/]+/samples/" { return 404; }',
        'location ~ "^/live/(?<auth_token>[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)/(?<auth_room>[A-Za-z0-9_-]{1,64})/'
        '(?<media_file>[A-Za-z0-9_./-]+[.](m3u8|m4s|mp4|jpg))$" {',
        "location ^~ /chat/ {",
        "location = /metrics { return 404; }",
        'location ~ "^/(login|signup|password/reset|recover|api/v1/auth/)" {',
        "location / {",
    ]
    assert "proxy_pass http://stagedoor_web/_media_auth;" in lines and "alias /var/lib/stagedoor/static/;" in lines
    assert "ssl_certificate /etc/letsencrypt/live/stagedoor.example.com/fullchain.pem;" in lines


def test_real_ip_and_limits_golden() -> None:
    text = render_site_config(
        base(
            real_ip_from=("173.245.48.0/20", "2400:cb00::/32"),
            site_limit=RateLimit("50r/s", 100),
            auth_limit=RateLimit("5r/m", 3),
            chat_limit=RateLimit("2r/s", 5),
            client_max_body_mb=20,
        )
    )
    assert (
        """    client_max_body_size 20m;
    proxy_connect_timeout 2s;
    proxy_read_timeout 60s;
    gzip on;
    gzip_proxied any;
    gzip_types text/css text/javascript application/json image/svg+xml text/plain;

    set_real_ip_from 173.245.48.0/20;
    set_real_ip_from 2400:cb00::/32;
    real_ip_header X-Forwarded-For;
    real_ip_recursive on;
    limit_req_zone $binary_remote_addr zone=stagedoor_req_site:10m rate=50r/s;
    limit_req_zone $binary_remote_addr zone=stagedoor_req_auth:10m rate=5r/m;
    limit_req_zone $binary_remote_addr zone=stagedoor_req_chat:10m rate=2r/s;
    limit_req_status 429;
"""
        in text
    )
    assert "limit_req zone=stagedoor_req_site burst=100 nodelay;" in text
    assert "limit_req zone=stagedoor_req_auth burst=3 nodelay;" in text
    assert "limit_req zone=stagedoor_req_chat burst=5 nodelay;" in text
    assert "proxy_next_upstream_tries 1;" in text
    assert "user " not in text.split("\n", 2)[1]
    assert "set_real_ip_from" not in render_site_config(base())


def test_defaults_come_from_the_settings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    env = {
        "STAGEDOOR_VAR_DIR": str(tmp_path),
        "STAGEDOOR_BASE_URL": "https://cams.example.org",
        "STAGEDOOR_HOST": "10.9.0.5",
        "STAGEDOOR_PORT": "8100",
        "STAGEDOOR_CHAT_HOST": "10.9.0.6",
        "STAGEDOOR_CHAT_PORT": "8101",
        "STAGEDOOR_MEDIA_DIR": "/srv/stagedoor/media",
    }
    main(["nginx"], load(env))
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    assert lines.count("server_name cams.example.org;") == 2
    assert "server 10.9.0.5:8100 max_fails=1 fail_timeout=10s;" in lines
    assert "server 10.9.0.6:8101 max_fails=1 fail_timeout=10s;" in lines
    assert "alias /srv/stagedoor/media/$auth_room/$media_file;" in lines
    assert f"alias {tmp_path}/static/;" in lines
    assert "ssl_certificate_key /etc/letsencrypt/live/cams.example.org/privkey.pem;" in lines


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"web": ()}, "web: give at least one host:port"),
        ({"web": ("10.0.0.1",)}, "web: expected host:port, got '10.0.0.1'"),
        ({"chat": ("10.0.0.2:0",)}, "chat: expected host:port, got '10.0.0.2:0'"),
        ({"web": ("a:1", "a:1")}, "web: a node is listed twice"),
        ({"web": ("evil; include /etc/passwd:80",)}, "web: expected host:port, got 'evil; include /etc/passwd:80'"),
        ({"server_name": "a b"}, "server name: expected a host name, got 'a b'"),
        ({"media_root": Path("media")}, "media root: expected an absolute path, got 'media'"),
        ({"static_root": Path("/srv/x;y")}, "static root: expected an absolute path, got '/srv/x;y'"),
        ({"https_listen": "4433x"}, "https listen: expected PORT or ADDRESS:PORT, got '4433x'"),
        ({"real_ip_from": ("10.0.0.0/8 x",)}, "real IP from: expected an address or CIDR, got '10.0.0.0/8 x'"),
        ({"client_max_body_mb": 0}, "client max body: must be 1-10000 MB, got 0"),
        ({"user": "Root;"}, "user: expected a user name, got 'Root;'"),
    ],
)
def test_bad_values_are_refused_with_their_name(changes: dict[str, object], message: str) -> None:
    with pytest.raises(SiteConfigError) as refused:
        base(**changes)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("20r/s", "expected RATE:BURST (e.g. 20r/s:40), got '20r/s'"),
        ("20r/h:4", "rate: expected N r/s or N r/m (e.g. 20r/s), got '20r/h'"),
        ("0r/s:4", "rate: expected N r/s or N r/m (e.g. 20r/s), got '0r/s'"),
    ],
)
def test_bad_rate_limits(text: str, message: str) -> None:
    with pytest.raises(SiteConfigError) as refused:
        RateLimit.parse(text)
    assert str(refused.value) == message


def test_the_command_prints_one_line_on_a_wrong_value(tmp_path: Path) -> None:
    stagedoor = str(Path(sys.executable).with_name("stagedoor"))
    env = {"PATH": "/usr/bin:/bin", "STAGEDOOR_VAR_DIR": str(tmp_path), "PYTHONPATH": str(REPO / "src")}
    wrong = subprocess.run(
        [stagedoor, "deploy", "nginx", "--web", "10.0.1.11"], env=env, capture_output=True, text=True, timeout=60
    )
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == "stagedoor: deploy nginx: web: expected host:port, got '10.0.1.11'\n"
    unknown = subprocess.run([stagedoor, "deploy", "apache"], env=env, capture_output=True, text=True, timeout=60)
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr.startswith("usage: stagedoor deploy nginx [options]")
    good = subprocess.run([stagedoor, *["deploy", *EXAMPLE_ARGS]], env=env, capture_output=True, text=True, timeout=60)
    assert (good.returncode, good.stderr, good.stdout) == (0, "", EXAMPLE.read_text())
