"""Deployment artefacts generated from settings: the site-wide nginx config (`stagedoor deploy nginx`).

The files an operator copies (systemd units, the compose file, the Helm chart) live in `deploy/` at the top of
the repository; `docs/deploy.md` says how to size, scale, back up and upgrade a site.
"""
