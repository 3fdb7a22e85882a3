#!/usr/bin/env bash
# Set up everything Stagedoor needs on a fresh machine. Idempotent; safe to re-run.
#   scripts/bootstrap.sh          Python env (uv, .venv), front-end assets
#   scripts/bootstrap.sh --test   also the system tools the test suite drives (root: apt)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;35m==>\033[0m %s\n' "$*"; }

# 1. A Python >= 3.12 (Django 6 needs it): PATH first, then pyenv's versions, then uv's own.
find_python() {
  local candidates=(python3.13 python3.12 python3)
  for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*; do
    [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
  done
  for p in "${candidates[@]}"; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      "$p" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

# 2. uv (from PyPI) manages the virtualenv from the committed lockfile.
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  say "installing uv"
  BASE_PY=$(command -v python3)
  "$BASE_PY" -m pip install --quiet --disable-pip-version-check uv
  UV=("$BASE_PY" -m uv)
fi

if [ -z "${UV_PYTHON:-}" ]; then
  if PY=$(find_python); then
    export UV_PYTHON="$PY"
  else
    say "no Python >= 3.12 found; asking uv to install one"
    "${UV[@]}" python install 3.12
    export UV_PYTHON=3.12
  fi
fi

say "Python environment (.venv, from uv.lock) with $UV_PYTHON"
"${UV[@]}" sync --frozen --quiet

# 3. Front-end libraries from npm, copied into static (no CDN links).
VENDOR=src/stagedoor/web/static/web/vendor
if [ ! -f "$VENDOR/.stamp" ] || [ package-lock.json -nt "$VENDOR/.stamp" ]; then
  say "front-end assets (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  mkdir -p "$VENDOR"
  cp node_modules/htmx.org/dist/htmx.min.js "$VENDOR/htmx.min.js"
  cp node_modules/hls.js/dist/hls.min.js "$VENDOR/hls.min.js"
  cp node_modules/chart.js/dist/chart.umd.min.js "$VENDOR/chart.umd.min.js"
  touch "$VENDOR/.stamp"
fi

# 4. Janus (Debian's package) is the SFU behind shows' live video and browser broadcasting; `stagedoor run`
#    starts its own copy. Without it everything else works and the media endpoints answer "not available".
if ! command -v janus >/dev/null 2>&1 && [ ! -x /usr/bin/janus ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing janus (the WebRTC SFU for shows and browser broadcasting)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends janus >/dev/null \
      || say "could not install janus: shows' live video and browser broadcasting stay off"
  else
    say "janus is not installed: shows' live video and browser broadcasting stay off (sudo apt-get install janus)"
  fi
fi

# 5. System tools the tests drive for real: Chromium (browser tests), ffmpeg and GStreamer
#    (independent RTMP clients), nginx (the production origin's token check).
if [ "${1:-}" = "--test" ]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
  command -v gst-launch-1.0 >/dev/null 2>&1 || need+=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  command -v janus >/dev/null 2>&1 || [ -x /usr/bin/janus ] || need+=(janus)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      say "installing system packages: ${need[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      say "missing system packages (install them, or some tests will skip): ${need[*]}"
    fi
  fi
fi
