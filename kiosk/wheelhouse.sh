#!/bin/sh
# Make a self-contained release folder for kiosks without network (see kiosk/README.md, "Updates").
#
#   kiosk/wheelhouse.sh DIR                 for kiosks like this machine (Python 3.11, same CPU)
#   kiosk/wheelhouse.sh DIR --arch aarch64  for a 64-bit Raspberry Pi (Raspberry Pi OS Bookworm)
#   kiosk/wheelhouse.sh DIR --arch x86_64   for a PC
#
# Needs network (PyPI) and python3 with venv. DIR then holds:
#   wheels/        the exhibit's wheel and every run-time dependency, pinned by kiosk/requirements.lock
#   install.lock   requirements.lock plus the exhibit's own wheel, each with its sha256
#   kiosk/         install.sh, the systemd units, exhibit-ctl and the technician's README
#   SHA256SUMS     a checksum of every file, for checking a copy (sha256sum -c SHA256SUMS)
# Copy DIR onto a USB stick; on the kiosk: sudo sh /media/usb/DIR/kiosk/install.sh
set -eu

usage() { sed -n '2,14p' "$0"; exit 2; }
[ $# -ge 1 ] || usage
OUT=$1; shift
ARCH=
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) [ $# -ge 2 ] || usage; ARCH=$2; shift 2 ;;
    --arch=*) ARCH=${1#--arch=}; shift ;;
    -h|--help) usage ;;
    *) echo "wheelhouse.sh: unknown option $1" >&2; usage ;;
  esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
[ -f "$SRC/pyproject.toml" ] || { echo "wheelhouse.sh: run it from a Digit Exhibit checkout" >&2; exit 2; }
PY=${PYTHON:-python3}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ -e "$OUT/wheels" ] || [ -e "$OUT/install.lock" ]; then
  echo "wheelhouse.sh: $OUT already holds a release; give an empty or new folder" >&2
  exit 2
fi
mkdir -p "$OUT/wheels"
TMP=$(mktemp -d)
DONE=
# a refused or failed build leaves no half release behind (only what this run wrote)
trap 'rm -rf "$TMP"; [ -n "$DONE" ] || rm -rf "$OUT/wheels" "$OUT/install.lock" "$OUT/kiosk" "$OUT/RELEASE" "$OUT/SHA256SUMS"' EXIT

# a pip of our own, not whatever the machine has (or lacks); no user or site pip config
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
"$PY" -m venv "$TMP/venv"
PIP="$TMP/venv/bin/python -m pip"

# 1. the exhibit's own wheel, built from a clean copy of the checkout (nothing left in it)
mkdir "$TMP/src"
(cd "$SRC" && tar --exclude=.git --exclude=.venv --exclude=__pycache__ --exclude='*.egg-info' \
   --exclude=build --exclude=dist --exclude=.pytest_cache -cf - .) | tar -C "$TMP/src" -xf -
$PIP wheel --quiet --no-deps --wheel-dir "$OUT/wheels" "$TMP/src"
WHEEL=$(ls "$OUT"/wheels/digit_exhibit-*.whl)

# 2. the dependencies, exactly as locked (binary wheels only: a kiosk has no compiler)
set -- --only-binary=:all: --require-hashes --no-deps
case "$ARCH" in
  "") ;;
  x86_64|amd64) set -- "$@" --python-version 3.11 --implementation cp --abi cp311 \
      --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 ;;
  aarch64|arm64) set -- "$@" --python-version 3.11 --implementation cp --abi cp311 \
      --platform manylinux_2_28_aarch64 --platform manylinux_2_17_aarch64 --platform manylinux2014_aarch64 ;;
  *) echo "wheelhouse.sh: --arch must be x86_64 or aarch64" >&2; exit 2 ;;
esac
$PIP download --quiet "$@" --dest "$OUT/wheels" -r "$HERE/requirements.lock"

# 3. one lock for the whole install: the dependencies and the exhibit's wheel, all hashed
VERSION=$(basename "$WHEEL" | cut -d- -f2)
SUM=$(sha256sum "$WHEEL" | cut -d' ' -f1)
{
  grep -v '^#' "$HERE/requirements.lock"
  echo "digit-exhibit==$VERSION \\"
  echo "    --hash=sha256:$SUM"
} > "$OUT/install.lock"

# 4. the release verified whole before it is written out: installed from these wheels alone, as
# a kiosk would (for another --arch, only when the wheels also fit this machine), every network
# (gate and CNN too), asset and font checked, and each network reading its own examples
if [ -z "$ARCH" ] || [ "$ARCH" = "$(uname -m)" ] || { [ "$ARCH" = amd64 ] && [ "$(uname -m)" = x86_64 ]; }; then
  "$PY" -m venv "$TMP/check"
  "$TMP/check/bin/python" -m pip install --quiet --no-index --find-links "$OUT/wheels" \
    --require-hashes --only-binary=:all: -r "$OUT/install.lock"
  if ! why=$(cd "$TMP" && SDL_VIDEODRIVER=dummy "$TMP/check/bin/digit-exhibit" verify 2>&1 >/dev/null); then
    echo "wheelhouse.sh: refused: $(echo "$why" | tail -n 1 | sed 's/^digit-exhibit: verify: //'); no release written" >&2
    exit 2
  fi
else
  echo "wheelhouse.sh: note: wheels for $ARCH cannot be checked here; install.sh checks them on the kiosk" >&2
fi

# 5. what the kiosk needs besides wheels: the installer, units, helpers and the README
mkdir -p "$OUT/kiosk"
for f in install.sh exhibit-ctl README.md requirements.lock digit-exhibit.service \
         digit-exhibit-out-of-order.service digit-exhibit-retry.timer \
         digit-exhibit-health.service digit-exhibit-health.timer; do
  cp "$HERE/$f" "$OUT/kiosk/$f"
done
chmod 755 "$OUT/kiosk/install.sh" "$OUT/kiosk/exhibit-ctl"
rev=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo local)
dirty=$(git -C "$SRC" status --porcelain 2>/dev/null | grep -v '^??' | head -n 1 || true)
[ -z "$dirty" ] || rev="$rev-modified"
echo "$VERSION-$rev" > "$OUT/RELEASE"
(cd "$OUT" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
DONE=yes

echo "release $VERSION-$rev in $OUT:"
ls -1 "$OUT/wheels"
cat <<EOF

To install it on a kiosk without network:
  1. copy the whole folder onto a USB stick:   cp -r "$OUT" /media/\$USER/STICK/
  2. on the kiosk (over SSH or a keyboard), plug the stick in and mount it:
       sudo mount /dev/sda1 /mnt          # lsblk shows the stick's name
       (cd /mnt/$(basename "$OUT") && sha256sum --quiet -c SHA256SUMS)
       sudo sh /mnt/$(basename "$OUT")/kiosk/install.sh
       sudo umount /mnt
EOF
