"""`stagedoor deploy nginx [options]`: print the site-wide nginx config; defaults come from the settings.

    stagedoor deploy nginx --web 10.0.1.11:8000 --web 10.0.1.12:8000 --chat 10.0.1.21:8001 > /etc/nginx/nginx.conf

Unset options take: the server name from STAGEDOOR_BASE_URL, one web node at STAGEDOOR_HOST:STAGEDOOR_PORT, one
chat gateway at STAGEDOOR_CHAT_HOST:STAGEDOOR_CHAT_PORT, the media from STAGEDOOR_MEDIA_DIR, the static files from
$STAGEDOOR_VAR_DIR/static, the certificate from Let's Encrypt's usual place for the server name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlparse

from stagedoor.deploy.nginx import (
    DEFAULT_ACME_ROOT,
    DEFAULT_LIMITS,
    DEFAULT_STATE_DIR,
    RateLimit,
    SiteConfig,
    SiteConfigError,
    render_site_config,
)

if TYPE_CHECKING:
    from stagedoor.core.config import Config


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line naming what is wrong (like a wrong setting), not the whole usage."""
        self.exit(2, f"stagedoor: deploy nginx: {message}\n")


def _rate(text: str) -> RateLimit:
    try:
        return RateLimit.parse(text)
    except SiteConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def nginx_parser(config: Config) -> argparse.ArgumentParser:
    server_name = urlparse(config.base_url).hostname or "localhost"
    parser = _Parser(prog="stagedoor deploy nginx", description="Print the site-wide nginx config (docs/deploy.md).")
    add = parser.add_argument
    add("--server-name", default=server_name, help="default: the host of STAGEDOOR_BASE_URL (%(default)s)")
    add("--web", action="append", metavar="HOST:PORT", help="a `stagedoor web` node (repeat for each)")
    add("--chat", action="append", metavar="HOST:PORT", help="a `stagedoor chat` gateway (repeat for each)")
    add("--media-root", type=Path, default=config.media_dir, help="default: STAGEDOOR_MEDIA_DIR (%(default)s)")
    add("--static-root", type=Path, default=config.var_dir / "static", help="default: %(default)s")
    add("--tls-cert", type=Path, default=None, help="default: /etc/letsencrypt/live/<server name>/fullchain.pem")
    add("--tls-key", type=Path, default=None, help="default: /etc/letsencrypt/live/<server name>/privkey.pem")
    add("--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="default: %(default)s")
    add("--acme-root", type=Path, default=DEFAULT_ACME_ROOT, help="default: %(default)s")
    add("--https-listen", default="443", help="PORT or ADDRESS:PORT (default: %(default)s)")
    add("--http-listen", default="80", help="PORT or ADDRESS:PORT (default: %(default)s)")
    for zone, what in (("site", "every dynamic request"), ("auth", "sign-in, sign-up, recovery"), ("chat", "sockets")):
        default = DEFAULT_LIMITS[zone]
        add(
            f"--{zone}-limit",
            type=_rate,
            default=default,
            metavar="RATE:BURST",
            help=f"per client address, {what} (default: {default.rate}:{default.burst})",
        )
    add("--real-ip-from", action="append", default=[], metavar="CIDR", help="a CDN's or load balancer's addresses")
    add("--client-max-body-mb", type=int, default=64, help="largest upload (default: %(default)s)")
    add("--user", default=None, help="nginx's worker user (default: the one nginx is started as)")
    return parser


def site_config_from_args(args: argparse.Namespace, config: Config) -> SiteConfig:
    letsencrypt = Path("/etc/letsencrypt/live") / args.server_name
    return SiteConfig(
        server_name=args.server_name,
        web=tuple(args.web or [f"{config.server.host}:{config.server.port}"]),
        chat=tuple(args.chat or [f"{config.chat_host}:{config.chat_port}"]),
        media_root=args.media_root,
        static_root=args.static_root,
        tls_cert=args.tls_cert or letsencrypt / "fullchain.pem",
        tls_key=args.tls_key or letsencrypt / "privkey.pem",
        state_dir=args.state_dir,
        acme_root=args.acme_root,
        https_listen=args.https_listen,
        http_listen=args.http_listen,
        site_limit=args.site_limit,
        auth_limit=args.auth_limit,
        chat_limit=args.chat_limit,
        real_ip_from=tuple(args.real_ip_from),
        client_max_body_mb=args.client_max_body_mb,
        user=args.user,
    )


USAGE = "usage: stagedoor deploy nginx [options]   (the site-wide nginx config; --help for the options)\n"


def main(argv: list[str], config: Config) -> None:
    """Print what was asked on stdout; a wrong value is one line on stderr and exit status 2."""
    if argv and argv[0] in {"-h", "--help"}:
        sys.stdout.write(USAGE)
        return
    if not argv or argv[0] != "nginx":
        sys.stderr.write(USAGE)
        raise SystemExit(2)
    parser = nginx_parser(config)
    args = parser.parse_args(argv[1:])
    try:
        site = site_config_from_args(args, config)
    except SiteConfigError as exc:
        parser.error(str(exc))
    sys.stdout.write(render_site_config(site))
