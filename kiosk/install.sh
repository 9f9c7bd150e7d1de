#!/bin/sh
# Install (or update, or roll back) Digit Exhibit as a kiosk on Debian / Raspberry Pi OS.
#
#   sudo kiosk/install.sh                 install this checkout as a new release and start it
#   sudo kiosk/install.sh --rollback      go back to the previous release
#   sudo kiosk/install.sh --no-packages   skip apt-get (offline machines that have them)
#   sudo kiosk/install.sh --no-systemd    install files only (containers, testing)
#
# Layout: /opt/digit-exhibit/releases/<date-commit>/ (code + its own venv), a symlink
# /opt/digit-exhibit/current to the one in use, the config in /etc/digit-exhibit/config.yaml
# (kept across updates), the service user "exhibit".
set -eu

PREFIX=/opt/digit-exhibit
ETC=/etc/digit-exhibit
USER_NAME=exhibit
UNIT=/etc/systemd/system/digit-exhibit.service
PACKAGES=yes
SYSTEMD=yes
ROLLBACK=no

for arg in "$@"; do
  case "$arg" in
    --rollback) ROLLBACK=yes ;;
    --no-packages) PACKAGES=no ;;
    --no-systemd) SYSTEMD=no ;;
    --prefix=*) PREFIX="${arg#--prefix=}" ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo kiosk/install.sh)" >&2
  exit 2
fi

have_systemd() { [ "$SYSTEMD" = yes ] && [ -d /run/systemd/system ]; }

restart() {
  if have_systemd; then
    systemctl daemon-reload
    systemctl enable digit-exhibit.service
    systemctl restart digit-exhibit.service
    echo "started: systemctl status digit-exhibit   logs: journalctl -u digit-exhibit -f"
  else
    echo "systemd is not running here: unit installed but not started"
  fi
}

if [ "$ROLLBACK" = yes ]; then
  cur=$(readlink "$PREFIX/current" || true)
  # the newest release older than the current one (names start with the install time)
  prev=$(ls -1d "$PREFIX"/releases/* 2>/dev/null | sort | awk -v c="$cur" '$0 < c' | tail -n 1 || true)
  if [ -z "$prev" ]; then
    echo "install.sh: no earlier release to roll back to in $PREFIX/releases" >&2
    exit 1
  fi
  ln -sfn "$prev" "$PREFIX/current.new" && mv -T "$PREFIX/current.new" "$PREFIX/current"
  echo "rolled back: $cur -> $prev"
  restart
  exit 0
fi

SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$SRC/pyproject.toml" ] || { echo "install.sh: run it from a Digit Exhibit checkout" >&2; exit 2; }

if [ "$PACKAGES" = yes ]; then
  apt-get update
  # cage: the kiosk compositor; the rest: Python and what SDL needs on Wayland/KMS
  apt-get install -y --no-install-recommends python3 python3-venv python3-pip cage \
    libwayland-client0 libwayland-egl1 libxkbcommon0 libegl1 libgles2 libgbm1 libdrm2
fi

if ! id -u "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --create-home --home-dir /var/lib/digit-exhibit --shell /usr/sbin/nologin "$USER_NAME"
fi
for g in video input render; do
  getent group "$g" >/dev/null && usermod -aG "$g" "$USER_NAME" || true
done

rev=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo local)
REL="$PREFIX/releases/$(date +%Y%m%d-%H%M%S)-$rev"
mkdir -p "$REL"
# code, assets and weights; never the developer's venv, caches or tests
(cd "$SRC" && tar --exclude=.git --exclude=.venv --exclude=__pycache__ --exclude='*.egg-info' \
   --exclude=.pytest_cache -cf - .) | tar -C "$REL" -xf -
# the system's Python (Debian 12: 3.11), not whatever a developer has first on PATH
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
"$PY" -m venv "$REL/.venv"
"$REL/.venv/bin/pip" install --quiet --upgrade pip
"$REL/.venv/bin/pip" install --quiet -e "$REL"
chown -R root:root "$REL"

mkdir -p "$ETC"
if [ ! -f "$ETC/config.yaml" ]; then
  install -m 644 "$REL/config.yaml" "$ETC/config.yaml"
  echo "config: $ETC/config.yaml (new)"
else
  echo "config: $ETC/config.yaml (kept)"
fi
if ! "$REL/.venv/bin/digit-exhibit" check-config "$ETC/config.yaml"; then
  echo "install.sh: fix $ETC/config.yaml first; the current release is unchanged" >&2
  exit 2
fi

ln -sfn "$REL" "$PREFIX/current.new" && mv -T "$PREFIX/current.new" "$PREFIX/current"
install -m 644 "$REL/kiosk/digit-exhibit.service" "$UNIT"
echo "installed: $REL"
restart
