#!/usr/bin/env bash
# npm run setup: everything passmux needs on a fresh Debian or Ubuntu machine,
# so that `npm start` can download something right after.
#   - ffmpeg from the distribution, when missing;
#   - the newest yt-dlp PyPI has (with yt-dlp-ejs, for YouTube), in a private
#     virtual environment linked onto PATH; when PyPI cannot be reached, the
#     distribution's yt-dlp, with a warning naming its age;
#   - the npm packages (npm ci), when node_modules is missing or stale.
# Safe to run again (a weekly run from cron keeps yt-dlp current). Runs apt-get
# as root, or through sudo. Never waits long on an unreachable PyPI.
#
# Environment:
#   PASSMUX_SETUP_PYPI=0            do not try PyPI; use the distribution's yt-dlp
#   PASSMUX_SETUP_PYPI_TIMEOUT=5    seconds to wait for PyPI before giving up
#   PASSMUX_YTDLP_VENV=DIR          where the private yt-dlp goes
#                                   (root: /opt/passmux-yt-dlp; else ~/.local/share/passmux/yt-dlp)
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_AGE_DAYS=60
PYPI_TIMEOUT="${PASSMUX_SETUP_PYPI_TIMEOUT:-5}"
if [ "$(id -u)" -eq 0 ]; then
  VENV="${PASSMUX_YTDLP_VENV:-/opt/passmux-yt-dlp}"
  BIN_DIR=/usr/local/bin
else
  VENV="${PASSMUX_YTDLP_VENV:-$HOME/.local/share/passmux/yt-dlp}"
  BIN_DIR="$HOME/.local/bin"
fi

say() { printf 'setup: %s\n' "$*"; }
warn() { printf 'setup: WARNING: %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for: $* (run as root, or install sudo)"
  fi
}

apt_updated=
apt_install() {
  say "apt-get install $*"
  if [ -z "$apt_updated" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# yt-dlp's version is its release date (2023.03.04): prints the age in days, or nothing.
age_days() {
  [[ "$1" =~ ^([0-9]{4})\.([0-9]{2})\.([0-9]{2}) ]] || return 0
  local released
  released=$(date -u -d "${BASH_REMATCH[1]}-${BASH_REMATCH[2]}-${BASH_REMATCH[3]}" +%s 2>/dev/null) || return 0
  echo $(( ($(date -u +%s) - released) / 86400 ))
}

# Can pip reach PyPI? Python's own client, so proxy variables count; bounded by PYPI_TIMEOUT.
pypi_reachable() {
  timeout "$((PYPI_TIMEOUT + 2))" "$PYTHON" -c "import urllib.request; urllib.request.urlopen('https://pypi.org/simple/yt-dlp/', timeout=$PYPI_TIMEOUT)" >/dev/null 2>&1
}

# The newest yt-dlp (and yt-dlp-ejs) into $VENV, linked as $BIN_DIR/yt-dlp. Fails quietly.
install_current_ytdlp() {
  if [ "${PASSMUX_SETUP_PYPI:-1}" = 0 ]; then
    say "PASSMUX_SETUP_PYPI=0: not asking PyPI for a current yt-dlp"
    return 1
  fi
  if ! pypi_reachable; then
    warn "PyPI (https://pypi.org) did not answer within ${PYPI_TIMEOUT} s: cannot get a current yt-dlp"
    return 1
  fi
  if [ ! -x "$VENV/bin/pip" ]; then
    "$PYTHON" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && rm -rf "$VENV" && "$PYTHON" -m venv "$VENV"; } || return 1
  fi
  say "pip install -U yt-dlp[default] into $VENV"
  timeout 600 "$VENV/bin/pip" install --quiet --disable-pip-version-check --timeout "$PYPI_TIMEOUT" --retries 2 -U 'yt-dlp[default]' || return 1
  mkdir -p "$BIN_DIR"
  ln -sf "$VENV/bin/yt-dlp" "$BIN_DIR/yt-dlp"
  "$BIN_DIR/yt-dlp" --version >/dev/null || return 1
  case ":$PATH:" in *":$BIN_DIR:"*) ;; *) warn "$BIN_DIR is not on PATH: add it, or set PASSMUX_YTDLP=$BIN_DIR/yt-dlp" ;; esac
}

command -v apt-get >/dev/null 2>&1 || die "this script knows Debian and Ubuntu (apt-get); elsewhere install ffmpeg and a current yt-dlp yourself (README, Install)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is needed (this is $(node --version))"

# ffmpeg (and ffprobe, which the tests use): the distribution's is fine, passmux only remuxes.
command -v ffmpeg >/dev/null 2>&1 || apt_install ffmpeg
command -v python3 >/dev/null 2>&1 || [ -x /usr/bin/python3 ] || apt_install python3
# The system's Python, not a user's pyenv: a service user must be able to run the venv.
PYTHON=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3 )

# yt-dlp: keep one that is current; upgrade ours; else get the newest; else the distribution's.
current=$(yt-dlp --version 2>/dev/null || true)
current_age=$(age_days "$current")
ours=$( [ "$(readlink -f "$(command -v yt-dlp 2>/dev/null || echo none)")" = "$(readlink -f "$VENV/bin/yt-dlp" 2>/dev/null || echo ours)" ] && echo yes || true)
if [ -n "$current" ] && [ -z "$ours" ] && [ -n "$current_age" ] && [ "$current_age" -le "$MAX_AGE_DAYS" ]; then
  say "yt-dlp $current is $current_age days old: kept"
elif install_current_ytdlp; then
  say "yt-dlp $("$BIN_DIR/yt-dlp" --version) installed in $VENV (linked from $BIN_DIR/yt-dlp)"
elif [ -n "$current" ] && [ "$(readlink -f "$(command -v yt-dlp)")" != /usr/bin/yt-dlp ]; then
  # Ours from an earlier run, or the operator's own: still better than the distribution's.
  warn "could not upgrade; keeping yt-dlp $current ($(command -v yt-dlp)), ${current_age:-?} days old"
else
  [ -x /usr/bin/yt-dlp ] || apt_install yt-dlp
  debian=$(/usr/bin/yt-dlp --version)
  warn "using the distribution's yt-dlp $debian, which is $(age_days "$debian") days old: many sites have changed since and will fail." \
    "Get a current one when PyPI is reachable (npm run setup again), or see docs/operating.md."
fi

command -v deno >/dev/null 2>&1 || say "note: deno is not on PATH; current yt-dlp needs it (with yt-dlp-ejs) for YouTube's full format lists (docs/operating.md)"

# npm packages: only when missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

say "done. What passmux will run:"
node --import tsx bin/passmux.ts --version | sed 's/^/  /'
