"""``digit-exhibit verify``: is this installed release whole? Run by kiosk/install.sh and
kiosk/wheelhouse.sh before anything switches (issue 22).

Every network in ``weights/`` (each ``*.npz`` with its manifest, the gate and the CNN included, not
only the configured one) loads with its checksum checked, and reads the release's own example
digits; every file the wheel installed (assets, fonts, weights) matches the sha256 in the wheel's
RECORD. The first failure is one line that names the file.
"""
from __future__ import annotations

import base64
import hashlib
from importlib import metadata
from pathlib import Path


class VerifyError(Exception):
    """One line naming the file that failed."""


def check_record(dist_name: str = "digit-exhibit") -> int:
    """Every installed file against the wheel's RECORD; returns how many were checked (0 in a
    checkout, whose editable install records no data files)."""
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        return 0
    n = 0
    for f in dist.files or []:
        if f.hash is None or f.hash.mode != "sha256":
            continue
        path = Path(f.locate())
        if not path.is_file():
            raise VerifyError(f"{path}: missing from the release (the wheel's RECORD lists it)")
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != f.hash.value:
            raise VerifyError(f"{path}: does not match the wheel's RECORD (damaged or changed)")
        n += 1
    return n


def check_networks(weights_dir: Path, examples: Path, canvas: tuple[float, float], cfg) -> list[str]:
    """Load every network and the gate, and read the examples with each; returns the names."""
    from exhibit.ink.files import read_drawings
    from exhibit.model.store import load_gate
    from exhibit.model.store import WeightsError, load
    from exhibit.recognize import Recognizer

    npzs = sorted(weights_dir.glob("*.npz"))
    for man in sorted(weights_dir.glob("*.json")):
        if not man.with_suffix(".npz").is_file():
            raise VerifyError(f"{man.with_suffix('.npz')}: missing (its manifest {man.name} is there)")
    if not npzs:
        raise VerifyError(f"{weights_dir}: no networks")
    gate = None
    if (weights_dir / "gate.npz").is_file():
        try:
            gate = load_gate(weights_dir / "gate.npz")
        except WeightsError as e:
            raise VerifyError(f"network gate: {e}") from None
    try:
        drawings = [d for d in read_drawings(examples, canvas) if d.error is None]
    except Exception as e:  # noqa: BLE001 - reported as one line naming the file
        raise VerifyError(f"{examples}: cannot be read ({e.__class__.__name__}: {e})") from None
    labelled = [d for d in drawings if d.label is not None]
    if not labelled:
        raise VerifyError(f"{examples}: no labelled example digits")
    names = []
    for npz in npzs:
        if npz.stem == "gate":
            continue
        try:
            lm = load(npz)
            rec = Recognizer(lm, stroke_width=cfg.ink.stroke_width,
                             min_points=cfg.ink.min_points, min_size=cfg.ink.min_size_px,
                             min_confidence=cfg.answer.min_confidence, gate=gate)
            right = sum(rec.read(d.ink).digit == int(d.label) for d in labelled)
        except WeightsError as e:
            raise VerifyError(f"network {npz.stem}: {e}") from None
        except Exception as e:  # noqa: BLE001 - a broken array must not be a traceback
            raise VerifyError(f"network {npz.stem} ({npz}): cannot read a digit "
                              f"({e.__class__.__name__}: {str(e)[:120]})".replace("\n", " ")) from None
        # a working network reads most of its own examples; a damaged one reads noise
        if right * 2 < len(labelled):
            raise VerifyError(f"network {npz.stem} ({npz}): read only {right} of {len(labelled)} "
                              f"of its own examples ({examples})")
        names.append(npz.stem)
    return names
