"""'Teach it your 7': fine-tune a copy of a network on one visitor's digit, with a replay of
training digits mixed into every step so that it forgets nothing. numpy only; the shipped
network is never touched (the copy is a new object), and nothing is written to disk.

The visitor's one picture is shown in a few slightly shifted copies per step (a digit moved by
a pixel is the same digit), so that the copy learns the shape rather than its exact pixels.
"""
from __future__ import annotations

import numpy as np

from exhibit.model.fit import Adam, accuracy
from exhibit.model.mlp import MLP

STEPS = 150  # at most; it stops as soon as the copy reads the digit as meant, surely
SURE = 0.7
GUARD = 1000  # replay digits kept apart to measure forgetting
MAX_LOSS = 0.006  # share of them the copy may newly get wrong before it stops (0.6 points)
CHECK_EVERY = 10
SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))


def copy_of(net: MLP) -> MLP:
    return MLP([w.copy() for w in net.weights], [b.copy() for b in net.biases], net.activation)


def shifted(picture: np.ndarray) -> np.ndarray:
    """(len(SHIFTS), side²): the picture and its one-pixel shifts (zeros move in)."""
    side = int(round(picture.size ** 0.5))
    img = picture.reshape(side, side)
    out = []
    for dy, dx in SHIFTS:
        s = np.roll(np.roll(img, dy, axis=0), dx, axis=1)
        if dy:
            s[0 if dy > 0 else -1, :] = 0
        if dx:
            s[:, 0 if dx > 0 else -1] = 0
        out.append(s.ravel())
    return np.asarray(out, np.float32)


def teach(net: MLP, picture: np.ndarray, meant: int, replay_x: np.ndarray, replay_y: np.ndarray,
          steps: int = STEPS, replay: int = 128, lr: float = 2e-4, seed: int = 0) -> MLP:
    """A fine-tuned copy of ``net`` that reads ``picture`` (side², floats in [0, 1]) as
    ``meant``. ``replay_x`` (n, side²) uint8 or float and ``replay_y`` (n,) are training digits;
    each step mixes ``replay`` of them with the visitor's digit and its shifts. Stops once every
    shift reads as ``meant`` with at least SURE (the fewer steps, the less it forgets), or
    returns its last copy that had not begun to forget: every CHECK_EVERY steps it reads
    GUARD replay digits it never trains on, and more than MAX_LOSS of them newly wrong ends it."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(replay_x))
    held, train = order[:GUARD], order[GUARD:]
    gx = replay_x[held].astype(np.float32) * (1 / 255.0) if replay_x.dtype == np.uint8 \
        else replay_x[held].astype(np.float32)
    floor = accuracy(net, gx, replay_y[held]) - MAX_LOSS
    new = copy_of(net)
    params = [*new.weights, *new.biases]
    opt = Adam(params, lr, moments=np.float32)
    own = shifted(np.asarray(picture, np.float32))
    eye = np.eye(10, dtype=np.float32)
    last_good = copy_of(new)
    for step in range(steps):
        if new.predict(own)[:, meant].min() >= SURE:
            break
        if step % CHECK_EVERY == 0 and step:
            if accuracy(new, gx, replay_y[held]) < floor:
                return last_good  # it began to forget: the last copy that did not
            last_good = copy_of(new)
        idx = train[rng.integers(0, len(train), replay)]
        rx = replay_x[idx]
        rx = rx.astype(np.float32) * (1 / 255.0) if rx.dtype == np.uint8 else rx.astype(np.float32)
        x = np.concatenate([own, rx])
        y = np.concatenate([np.full(len(own), meant), replay_y[idx]])
        fwd = new.forward(x)
        dws, dbs = new.gradients(fwd, (fwd.probs - eye[y]) / len(x))
        opt.step([*dws, *dbs])
    return new
