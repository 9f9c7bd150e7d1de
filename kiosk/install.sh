#!/bin/sh
# Install, update, roll back or remove Digit Exhibit on a kiosk (Debian 12 / Raspberry Pi OS
# Bookworm). Technician's guide: kiosk/README.md.
#
#   sudo sh DIR/kiosk/install.sh          install the release folder DIR (from kiosk/wheelhouse.sh,
#                                         e.g. on a USB stick): no network needed
#   sudo kiosk/install.sh                 in a checkout: build such a folder first (needs network)
#   sudo kiosk/install.sh --from DIR      install the release folder DIR
#   sudo kiosk/install.sh --from DIR --config FILE   ... with FILE (- : standard input) as its
#                                         config.yaml: checked by the new release first, put in
#                                         place with the switch
#   sudo digit-exhibit-release --status   releases, which one runs, which are good
#   sudo digit-exhibit-release --rollback back to the newest good release before this one
#   sudo digit-exhibit-release --check    judge a release on probation now (the health timer's job;
#                                         the installed tool judges, not the release's own script)
#   sudo digit-exhibit-release --uninstall [--purge]   remove it (--purge: config, user, logs too)
# Options: --no-packages (no apt-get; they must be there already), --no-systemd (files only:
# containers, testing), --prefix=DIR (default /opt/digit-exhibit).
#
# A new release is on probation, judged 5 minutes after the switch (and after every boot until
# then): it is "good" once the exhibit is up and has been up 2 minutes since it last started. Only
# failures count against it (it is down or failed, or systemd restarted it by itself: NRestarts);
# a requested `systemctl restart` or a reboot only starts the 2 minutes again. A release that
# fails goes back to the previous good one by itself. The newest 3 releases are kept (and always
# the current and the last good one).
set -eu

PREFIX=/opt/digit-exhibit
ETC=/etc/digit-exhibit
USER_NAME=exhibit
UNITS_DIR=/etc/systemd/system
TOOL=/usr/local/sbin/digit-exhibit-release
DEFAULT_PREFIX=/opt/digit-exhibit   # what the units and the tool name; --prefix rewrites it
UNITS="digit-exhibit.service digit-exhibit-out-of-order.service digit-exhibit-retry.timer digit-exhibit-health.service digit-exhibit-health.timer"
KEEP=3
MIN_UP=120   # seconds the exhibit must have been up, without a restart, to call a release good
MAX_FRAME_AGE=90  # seconds: an older last frame (health.json) means the screen is stuck
PACKAGES=yes
SYSTEMD=yes
ACTION=install
FROM=
CONFIG_FROM=   # --config: the settings to install with the release (kiosk/fleet renders them)
PURGE=no
# for tests/test_kiosk.py only: every path under this folder, systemctl from PATH, no root needed
TEST_ROOT=${DIGIT_EXHIBIT_TEST_ROOT:-}
if [ -n "$TEST_ROOT" ]; then
  PREFIX=$TEST_ROOT/opt/digit-exhibit ETC=$TEST_ROOT/etc/digit-exhibit
  UNITS_DIR=$TEST_ROOT/etc/systemd/system TOOL=$TEST_ROOT/usr/local/sbin/digit-exhibit-release
fi

while [ $# -gt 0 ]; do
  case "$1" in
    --rollback) ACTION=rollback ;;
    --check) ACTION=check ;;
    --status) ACTION=status ;;
    --uninstall) ACTION=uninstall ;;
    --purge) PURGE=yes ;;
    --from) [ $# -ge 2 ] || { echo "install.sh: --from needs a folder" >&2; exit 2; }; FROM=$2; shift ;;
    --from=*) FROM=${1#--from=} ;;
    --config) [ $# -ge 2 ] || { echo "install.sh: --config needs a file" >&2; exit 2; }; CONFIG_FROM=$2; shift ;;
    --config=*) CONFIG_FROM=${1#--config=} ;;
    --no-packages) PACKAGES=no ;;
    --no-systemd) SYSTEMD=no ;;
    --prefix=*) PREFIX=${1#--prefix=}
      case "$PREFIX" in /*) ;; *) echo "install.sh: --prefix needs an absolute folder" >&2; exit 2 ;; esac
      case "$PREFIX" in *[!A-Za-z0-9/._-]*) echo "install.sh: --prefix may hold only letters, digits and / . _ -" >&2; exit 2 ;; esac ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ -z "$TEST_ROOT" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo)" >&2
  exit 2
fi

RELEASES=$PREFIX/releases
PENDING=$PREFIX/pending      # name of the release on probation
log() { echo "digit-exhibit-release: $*"; }
have_systemd() { [ "$SYSTEMD" = yes ] && { [ -d /run/systemd/system ] || [ -n "$TEST_ROOT" ]; }; }
current_name() { r=$(readlink "$PREFIX/current" 2>/dev/null || true); [ -n "$r" ] && basename "$r" || true; }
is_good() { [ -f "$RELEASES/$1/GOOD" ]; }
releases_sorted() { [ -d "$RELEASES" ] && ls -1 "$RELEASES" | sort || true; }

# the newest good release other than $1, preferring those older than $1
last_good_except() {
  older=$(releases_sorted | awk -v c="$1" '$0 < c' | while read -r r; do
    is_good "$r" && echo "$r"; done | tail -n 1)
  if [ -n "$older" ]; then echo "$older"; return; fi
  releases_sorted | while read -r r; do [ "$r" != "$1" ] && is_good "$r" && echo "$r"; done | tail -n 1
}

# a file with this install's prefix in place of /opt/digit-exhibit (units and the tool name it)
with_prefix() { sed "s|$DEFAULT_PREFIX|$PREFIX|g" "$1"; }

# install the tool that judges probation from release $1 (a good one, or the first ever)
install_tool() {
  if grep -q -- '--check' "$RELEASES/$1/kiosk/install.sh" 2>/dev/null; then  # not an old release
    mkdir -p "$(dirname "$TOOL")"
    # only its PREFIX line: DEFAULT_PREFIX stays what the units name, for later switches
    sed "s|^PREFIX=.*|PREFIX=$PREFIX|" "$RELEASES/$1/kiosk/install.sh" > "$TOOL.new"
    chmod 755 "$TOOL.new" && mv "$TOOL.new" "$TOOL"
  fi
}

# make release $1 current: its units are staged first (a full disk fails here, with the old
# release still current), then one rename(2) moves the link, then the staged units are renamed
# into place. The probation tool is not replaced here: the release under judgement must not be
# the one that judges it.
activate() {
  rel=$RELEASES/$1
  mkdir -p "$UNITS_DIR"
  for u in $UNITS; do
    rm -f "$UNITS_DIR/.$u.new"
    if [ -f "$rel/kiosk/$u" ]; then
      with_prefix "$rel/kiosk/$u" > "$UNITS_DIR/.$u.new" || {
        for v in $UNITS; do rm -f "$UNITS_DIR/.$v.new"; done; return 1; }
    fi
  done
  ln -sfn "$rel" "$PREFIX/current.new" && mv -T "$PREFIX/current.new" "$PREFIX/current" || return 1
  # switched: nothing below may undo that (a rename in one folder does not need space)
  for u in $UNITS; do
    if [ -f "$UNITS_DIR/.$u.new" ]; then
      { chmod 644 "$UNITS_DIR/.$u.new" && mv "$UNITS_DIR/.$u.new" "$UNITS_DIR/$u"; } ||
        log "warning: $1 is current but its $u could not be put in place"
    else
      rm -f "$UNITS_DIR/$u" || true  # an old release from before these units: not its units
    fi
  done
  return 0
}

restart_exhibit() {
  if have_systemd; then
    systemctl daemon-reload
    systemctl enable digit-exhibit.service >/dev/null 2>&1
    [ -f "$UNITS_DIR/digit-exhibit-health.timer" ] && systemctl enable digit-exhibit-health.timer >/dev/null 2>&1
    systemctl stop digit-exhibit-retry.timer 2>/dev/null || true
    systemctl reset-failed digit-exhibit.service digit-exhibit-out-of-order.service 2>/dev/null || true
    # --no-block: the health check judges the outcome, even if this SSH session is gone by then
    systemctl restart --no-block digit-exhibit.service
  else
    log "systemd is not running here: units installed but nothing started"
  fi
}

prune() {
  cur=$(current_name)
  good=$(last_good_except "$cur")
  pend=$(cat "$PENDING" 2>/dev/null || true)
  keep=$(releases_sorted | tail -n "$KEEP")
  releases_sorted | while read -r r; do
    case " $(echo $keep) $cur $good $pend " in *" $r "*) continue ;; esac
    log "removing old release $r"
    rm -rf "${RELEASES:?}/$r"
  done
}

status() {
  cur=$(current_name)
  pend=$(cat "$PENDING" 2>/dev/null || true)
  echo "releases in $RELEASES (newest last):"
  releases_sorted | while read -r r; do
    tags=""
    [ "$r" = "$cur" ] && tags="$tags current"
    is_good "$r" && tags="$tags good"
    [ -f "$RELEASES/$r/BAD" ] && tags="$tags bad($(cat "$RELEASES/$r/BAD"))"
    [ "$r" = "$pend" ] && tags="$tags on-probation"
    [ -f "$RELEASES/$r/VERSION" ] && tags="$tags version $(head -c 80 "$RELEASES/$r/VERSION")"
    echo "  $r${tags:+ :$tags}"
  done
  if have_systemd; then
    echo "exhibit: $(systemctl is-active digit-exhibit.service 2>/dev/null || true)," \
         "out-of-order screen: $(systemctl is-active digit-exhibit-out-of-order.service 2>/dev/null || true)"
  fi
}

svc() { systemctl show -p "$1" --value digit-exhibit.service 2>/dev/null || true; }

# now on the monotonic clock systemd's timestamps use, in µs (the tests give their own)
now_us() {
  if [ -n "$TEST_ROOT" ] && [ -n "${DIGIT_EXHIBIT_TEST_NOW_US:-}" ]; then
    echo "$DIGIT_EXHIBIT_TEST_NOW_US"
  else
    python3 -c 'import time; print(int(time.monotonic() * 1e6))'
  fi
}

# wall-clock seconds, as the exhibit's health file has them (the tests give their own)
now_wall() {
  if [ -n "$TEST_ROOT" ] && [ -n "${DIGIT_EXHIBIT_TEST_NOW:-}" ]; then
    echo "$DIGIT_EXHIBIT_TEST_NOW"
  else
    date +%s
  fi
}

# what is wrong with the picture release $1 presents, from the exhibit's health file (its last
# frame's time and signature); nothing if it looks fine, or if the release writes no such file
health_problem() {
  grep -q 'health.json' "$RELEASES/$1/kiosk/exhibit-ctl" 2>/dev/null || return 0  # older release
  python3 - "$TEST_ROOT/run/digit-exhibit/health.json" "$(now_wall)" "$MAX_FRAME_AGE" <<'EOF'
import json, sys
path, now, max_age = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
try:
    with open(path) as f:
        rec = json.load(f)
    frame = rec.get("frame_time")
except FileNotFoundError:
    sys.exit(print(f"writing no health file ({path})"))
except (OSError, ValueError, AttributeError) as e:
    sys.exit(print(f"writing an unreadable health file ({path}: {e})"))
if not isinstance(frame, (int, float)):
    print("presenting no frame (health file)")
elif now - frame > max_age:
    print(f"showing a stuck screen: last frame {now - frame:.0f} s ago (more than {max_age:.0f} s)")
elif rec.get("black"):
    print(f"showing a black screen (luminance {rec.get('luminance')})")
elif rec.get("blank"):
    print(f"showing a blank screen (ink {rec.get('ink')})")
EOF
}

# judge the release on probation. Only failures count: the unit down or failed, or restarted by
# systemd itself (NRestarts counts Restart= restarts; a requested restart or a boot sets it to 0).
# A release up for less than MIN_UP since a requested restart or a boot stays on probation and
# is judged again (the health timer comes back every minute while one is pending).
check() {
  pend=$(cat "$PENDING" 2>/dev/null || true)
  if [ -z "$pend" ]; then  # the timer comes every minute: quiet in the journal then
    [ ! -t 1 ] || log "no release on probation"
    return 0
  fi
  cur=$(current_name)
  if [ "$pend" != "$cur" ]; then
    log "$pend is on probation but $cur is current: probation ended"
    rm -f "$PENDING"
    return 0
  fi
  have_systemd || { log "--check needs a running systemd"; return 1; }
  state=$(svc ActiveState) sub=$(svc SubState) since=$(svc ActiveEnterTimestampMonotonic)
  restarts=$(svc NRestarts) status=$(svc ExecMainStatus)
  case "$restarts" in ''|*[!0-9]*) restarts=0 ;; esac
  why=
  if [ "$restarts" -gt 0 ]; then
    why="restarted by systemd $restarts time(s) after failing (last exit status ${status:-?})"
  elif [ "$state" = active ] && [ "$sub" = running ] && [ "${since:-0}" -gt 0 ]; then
    up=$(( ($(now_us) - since) / 1000000 ))
    bad=
    [ "$up" -lt "$MIN_UP" ] || bad=$(health_problem "$cur")
    if [ -n "$bad" ]; then
      why="up but $bad"
    elif [ "$up" -ge "$MIN_UP" ]; then
      date -u +%Y-%m-%dT%H:%M:%SZ > "$RELEASES/$cur/GOOD"
      rm -f "$PENDING"
      install_tool "$cur"   # a good release's tool judges the next one
      log "$cur is good: the exhibit has been up for $up s without a failure, its picture fresh"
      prune
      return 0
    else
      log "$cur has been up for only $up s since a requested restart or a boot (not a failure):" \
          "still on probation, judged again later"
      return 0
    fi
  elif [ "$state" = activating ] || [ "$state" = reloading ]; then
    log "$cur is starting (no failure so far): still on probation, judged again later"
    return 0
  else
    why="not up (state: ${state:-unknown}${status:+, last exit status $status})"
  fi
  prev=$(last_good_except "$cur")
  if [ -z "$prev" ]; then
    log "$cur is $why, and there is no good release to go back to; it stays, on probation"
    return 1
  fi
  echo "$why" > "$RELEASES/$cur/BAD"
  rm -f "$PENDING"
  log "$cur is $why: going back to $prev"
  activate "$prev" || { log "could not switch back to $prev (disk full?): $cur stays current"; return 1; }
  install_tool "$prev"
  restart_exhibit
  return 1
}

rollback() {
  cur=$(current_name)
  prev=$(last_good_except "$cur")
  if [ -z "$prev" ]; then
    log "no good release to roll back to (see: digit-exhibit-release --status)" >&2
    exit 1
  fi
  activate "$prev" || { log "could not switch to $prev (disk full?): $cur stays current" >&2; exit 1; }
  rm -f "$PENDING"
  install_tool "$prev"
  log "rolled back: $cur -> $prev"
  restart_exhibit
}

# what kiosk/README.md has a technician add: `systemctl edit` drop-ins, the touch panel's udev
# rule and the closing-time timer; uninstall removes these too
EXTRAS="exhibit-closing.service exhibit-closing.timer"
UDEV_RULE=${TEST_ROOT}/etc/udev/rules.d/99-digit-exhibit-touch.rules

uninstall() {
  if have_systemd; then
    for u in $UNITS $EXTRAS; do systemctl disable --now "$u" 2>/dev/null || true; done
  fi
  for u in $UNITS $EXTRAS; do rm -f "$UNITS_DIR/$u" "$UNITS_DIR/.$u.new"; rm -rf "$UNITS_DIR/$u.d"; done
  if [ -f "$UDEV_RULE" ]; then
    rm -f "$UDEV_RULE"
    command -v udevadm >/dev/null 2>&1 && [ -z "$TEST_ROOT" ] && udevadm control --reload 2>/dev/null || true
  fi
  # what kiosk/fleet adds: the journal upload's drop-ins and its copies of release folders
  rm -f "$TEST_ROOT/etc/systemd/journal-upload.conf.d/digit-exhibit.conf" \
        "$UNITS_DIR/systemd-journal-upload.service.d/digit-exhibit.conf"
  rmdir "$UNITS_DIR/systemd-journal-upload.service.d" 2>/dev/null || true
  rm -rf "$TEST_ROOT/var/lib/digit-exhibit-fleet"
  have_systemd && systemctl daemon-reload && systemctl reset-failed 2>/dev/null || true
  have_systemd && systemctl enable getty@tty1.service 2>/dev/null || true
  rm -rf "${PREFIX:?}"
  rm -f "$TOOL"
  if [ "$PURGE" = yes ]; then
    rm -rf "$ETC"
    userdel "$USER_NAME" 2>/dev/null || true
    rm -rf /var/lib/digit-exhibit
    log "removed, with the config, the user $USER_NAME and /var/lib/digit-exhibit"
  else
    log "removed; kept $ETC and the user $USER_NAME (--purge removes them too)"
  fi
}

case "$ACTION" in
  status) status; exit 0 ;;
  check) check; exit $? ;;
  rollback) rollback; exit 0 ;;
  uninstall) uninstall; exit 0 ;;
esac

# ---------------------------------------------------------------------------- install a release
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
REL=
SAID=   # set once a refusal has said what changed (one line, not two)
# REL is set only once this run has made its folder, and cleared before the switch: the trap
# removes only a folder this run created, and only while it is not current
cleanup() {
  rm -rf "$TMP"
  rm -f "$ETC/.config.yaml.new"
  if [ -n "$REL" ]; then
    rm -rf "$REL"
    [ -n "$SAID" ] ||
      echo "install.sh: the install failed; nothing was changed (current: $(current_name || true))" >&2
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ -z "$FROM" ]; then
  if [ -f "$HERE/../install.lock" ]; then
    FROM=$HERE/..                   # this script sits in a release folder (wheelhouse.sh)
  elif [ -f "$HERE/../pyproject.toml" ]; then
    log "building a release folder from this checkout (needs network)"
    sh "$HERE/wheelhouse.sh" "$TMP/release" >/dev/null
    FROM=$TMP/release
  else
    echo "install.sh: give a release folder: --from DIR (made by kiosk/wheelhouse.sh)" >&2
    exit 2
  fi
fi
FROM=$(cd "$FROM" && pwd)
CONFIG_NAME=$CONFIG_FROM   # what a refusal calls it
if [ "$CONFIG_FROM" = - ]; then
  cat > "$TMP/config.yaml" && CONFIG_FROM=$TMP/config.yaml CONFIG_NAME="config.yaml (standard input)"
fi
if [ -n "$CONFIG_FROM" ]; then
  [ -f "$CONFIG_FROM" ] || { echo "install.sh: --config $CONFIG_FROM: no such file" >&2; exit 2; }
  CONFIG_FROM=$(cd "$(dirname "$CONFIG_FROM")" && pwd)/$(basename "$CONFIG_FROM")
fi
[ -f "$FROM/install.lock" ] && [ -d "$FROM/wheels" ] && [ -d "$FROM/kiosk" ] || {
  echo "install.sh: $FROM is not a release folder (no install.lock, wheels/ or kiosk/)" >&2; exit 2; }
[ -f "$FROM/SHA256SUMS" ] || {
  echo "install.sh: $FROM/SHA256SUMS is missing: the release cannot be checked (copy it again)" >&2; exit 2; }
# every file listed and matching, and no file there that the list does not name
(cd "$FROM" && sha256sum --quiet --strict -c SHA256SUMS) >&2 || {
  echo "install.sh: $FROM is damaged (checksums differ, see above): copy it again" >&2; exit 2; }
extra=$(cd "$FROM" && find . -type f ! -name SHA256SUMS | sort | while read -r f; do
  grep -qF "  $f" SHA256SUMS || echo "$f"; done | head -n 1)
[ -z "$extra" ] || { echo "install.sh: $FROM/${extra#./} is not in SHA256SUMS: copy the release again" >&2; exit 2; }

if [ "$PACKAGES" = yes ]; then
  apt-get update || log "apt-get update failed (no network?): using the package lists there are"
  # cage: the kiosk compositor, with Xwayland (cage 0.1.4 refuses to start without it);
  # Mesa's EGL/GBM drivers for cage; the X11 client libraries SDL loads to draw through
  # Xwayland (libXi: touch), and its Wayland ones for a drop-in that chooses Wayland; logind
  # (dbus, libpam-systemd) gives cage the seat; python3-venv for the release's environment
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    python3 python3-venv cage xwayland dbus libpam-systemd \
    libx11-6 libxext6 libxi6 libxrandr2 libxcursor1 libxfixes3 libxss1 \
    libwayland-client0 libwayland-cursor0 libwayland-egl1 libxkbcommon0 xkb-data \
    libegl1 libegl-mesa0 libgles2 libgbm1 libgl1-mesa-dri libdrm2
fi
# the system's Python (Debian 12: 3.11), not whatever is first on PATH; the wheels are for it.
# A test's stand-in root brings its own python3, cage and Xwayland.
PY3=/usr/bin/python3
[ -z "$TEST_ROOT" ] || PY3=${DIGIT_EXHIBIT_TEST_PYTHON:-$PY3}
missing=
for f in "$PY3" "$TEST_ROOT/usr/bin/cage" "$TEST_ROOT/usr/bin/Xwayland"; do [ -x "$f" ] || missing="$missing $f"; done
"$PY3" -c 'import ensurepip, venv' 2>/dev/null || missing="$missing python3-venv"
if [ -n "$missing" ]; then
  echo "install.sh: missing:$missing (install the packages: run without --no-packages once with network)" >&2
  exit 2
fi

if [ -n "$TEST_ROOT" ]; then :
elif ! id -u "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --create-home --home-dir /var/lib/digit-exhibit --shell /usr/sbin/nologin "$USER_NAME"
fi
for g in video input render; do
  [ -z "$TEST_ROOT" ] && getent group "$g" >/dev/null && usermod -aG "$g" "$USER_NAME" || true
done

# a name no other install has used: the time, the release, and a counter if that is taken (two
# installs in one second); mkdir fails on an existing folder, so this run owns the one it makes
base=$(date +%Y%m%d-%H%M%S)-$(head -c 80 "$FROM/RELEASE" 2>/dev/null | tr -c 'A-Za-z0-9._+\n-' _ | head -n 1)
[ "$base" != "${base%-}" ] && base=${base}release
mkdir -p "$RELEASES"
n=0 name=$base
until mkdir "$RELEASES/$name" 2>/dev/null; do
  n=$((n + 1)); name=$base.$n
  [ "$n" -lt 100 ] || { echo "install.sh: cannot make a release folder in $RELEASES" >&2; exit 2; }
done
REL=$RELEASES/$name
cp "$FROM/RELEASE" "$REL/VERSION" 2>/dev/null || true  # digit-exhibit --version, STATUS, start event
"$PY3" -m venv "$REL/venv"
# only the release folder: no index, no network, no pip config of this machine, every file hashed
PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
  "$REL/venv/bin/python" -m pip install --quiet --no-index --find-links "$FROM/wheels" \
  --require-hashes --only-binary=:all: -r "$FROM/install.lock"
cp -r "$FROM/kiosk" "$REL/kiosk"
cp "$FROM/install.lock" "$REL/install.lock"
[ ! -f "$FROM/RELEASE" ] || cp "$FROM/RELEASE" "$REL/RELEASE"
chmod 755 "$REL/kiosk/install.sh" "$REL/kiosk/exhibit-ctl"
[ -n "$TEST_ROOT" ] || chown -R root:root "$REL"
chmod -R go-w "$REL"

mkdir -p "$ETC"
CONF=$ETC/config.yaml
if [ -n "$CONFIG_FROM" ]; then
  CONF=$CONFIG_FROM   # checked here, put in place with the switch below
  log "config: $CONFIG_FROM (to become $ETC/config.yaml with this release)"
  if ! why=$("$REL/venv/bin/digit-exhibit" check-config "$CONF" 2>&1); then
    why=$(echo "$why" | grep -v ': OK$' | head -n 1 | sed 's/^digit-exhibit: //')
    case "$why" in "$CONF:"*) why="$CONFIG_NAME:${why#"$CONF:"}" ;; esac
    cur=$(current_name || true)
    echo "install.sh: refused: $why; nothing was changed (current: ${cur:-none})" >&2
    SAID=yes
    exit 2
  fi
elif [ ! -f "$ETC/config.yaml" ]; then
  default=$("$REL/venv/bin/python" -c 'from exhibit import resources; print(resources.DEFAULT_CONFIG)')
  install -m 644 "$default" "$ETC/config.yaml"
  log "config: $ETC/config.yaml (new)"
else
  log "config: $ETC/config.yaml (kept)"
fi
if [ -z "$CONFIG_FROM" ] && ! "$REL/venv/bin/digit-exhibit" check-config "$CONF"; then
  echo "install.sh: fix $ETC/config.yaml first (the new release refuses it)" >&2
  exit 2
fi
# every network (not only the configured one), asset and font checks out, and each network
# reads the release's own examples, before anything is switched; the refusal names the file
if ! why=$(SDL_VIDEODRIVER=dummy "$REL/venv/bin/digit-exhibit" verify --config "$CONF" 2>&1 >/dev/null); then
  why=$(echo "${why:-the new release failed its check}" | tail -n 1)
  cur=$(current_name || true)
  echo "install.sh: refused: ${why#digit-exhibit: verify: }; nothing was changed (current: ${cur:-none})" >&2
  SAID=yes
  exit 2
fi

prev=$(current_name)
if [ -n "$prev" ] && ! is_good "$prev" && [ ! -f "$RELEASES/$prev/BAD" ] \
   && [ "$(cat "$PENDING" 2>/dev/null || true)" != "$prev" ] && have_systemd \
   && systemctl is-active --quiet digit-exhibit.service; then
  # from before health checks, and running right now: good enough to come back to
  date -u +%Y-%m-%dT%H:%M:%SZ > "$RELEASES/$prev/GOOD"
fi
echo "$name" > "$PENDING.new"
# the new settings staged beside the old ones (a full disk fails here, before the switch)
[ -z "$CONFIG_FROM" ] || install -m 644 "$CONFIG_FROM" "$ETC/.config.yaml.new" || {
  rm -f "$PENDING.new"; exit 2; }
if ! activate "$name"; then
  rm -f "$PENDING.new"
  exit 2   # the trap removes the new folder; the link did not move (activate stages first)
fi
REL=   # switched: from here on the release stays, even if starting it fails
mv "$PENDING.new" "$PENDING"
if [ -n "$CONFIG_FROM" ]; then
  mv "$ETC/.config.yaml.new" "$ETC/config.yaml" || log "warning: $name is current but $ETC/config.yaml could not be replaced"
fi
[ -x "$TOOL" ] || install_tool "$name"  # the first install brings the tool; later, good ones do
log "installed $name (previous: ${prev:-none})"
restart_exhibit
if have_systemd; then
  systemctl restart digit-exhibit-health.timer
  log "on probation: if the exhibit is still up in 5 minutes, $name is marked good;" \
      "otherwise ${prev:-the last good release} comes back by itself."
  log "watch it: systemctl status digit-exhibit; digit-exhibit-release --status"
fi
prune
