"""The learning process: trains the explainer's shape (784-25-25-10) from random weights with
mini-batch Adam and reports to the exhibit; or (``task: teach``) fine-tunes a copy of a network
on one visitor's digit (:func:`teach_task`). numpy only: this module never imports pygame.

Started by :mod:`exhibit.learn.session` as ``python -m exhibit.learn.worker JSON`` with one BLAS
thread, a pipe to write to (fd in the JSON) and its stdin as a lifeline: when the exhibit goes
away (stopped, crashed or killed) stdin reaches EOF and this process ends; on Linux the kernel
also sends it SIGTERM when its parent dies. Messages (pickled dicts over a
``multiprocessing.connection.Connection``):

- ``{"kind": "weights", "step", "seen", "t", "weights": [W...], "biases": [b...]}``, a few a second
  (the first one, random weights, before any data is read);
- ``{"kind": "accuracy", "step", "seen", "t", "accuracy", "n"}`` on held-out digits, about once a
  second;
- ``{"kind": "data", "source", "n"}`` when the training digits are ready (or grow);
- ``{"kind": "error", "message"}`` before it gives up.

The first ``pace_seconds`` of training are paced (at most ``pace_rate`` digits a second, in small
batches), so that the climb from chance to about 90 % takes long enough to be watched (without
it, 6,000 digits and about one second get there); after that it runs flat out.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Callable

import numpy as np

from exhibit.model.fit import Adam, accuracy
from exhibit.model.mlp import MLP

SIZES = (784, 25, 25, 10)
DEFAULTS = {"seed": 0, "batch": 128, "lr": 3e-3, "lr_final": 5e-4, "decay_seconds": 40.0,
            "weights_every": 0.25, "accuracy_every": 1.0, "held_out": 2000,
            "prepare_share": 0.5, "pace_seconds": 20.0, "pace_rate": 300.0, "pace_batch": 16,
            "source": "subset", "path": ""}


def train_batch(net: MLP, adam: Adam, x: np.ndarray, y: np.ndarray, eye: np.ndarray) -> None:
    """One Adam step on uint8 inputs ``x`` (b, 784) with labels ``y`` (b,); ``adam`` holds the
    network's one flat buffer (:func:`flatten`), ``eye`` is np.eye(10) in float32."""
    fwd = net.forward(x.astype(np.float32) * (1 / 255.0))
    dws, dbs = net.gradients(fwd, (fwd.probs - eye[y]) / len(x))
    adam.step([np.concatenate([g.ravel() for g in (*dws, *dbs)])])


def flatten(net: MLP) -> np.ndarray:
    """Move the network's weights and biases into one float32 buffer (they become views of it)."""
    params = [*net.weights, *net.biases]
    flat = np.concatenate([p.ravel() for p in params]).astype(np.float32)
    views, i = [], 0
    for p in params:
        views.append(flat[i:i + p.size].reshape(p.shape))
        i += p.size
    n = len(net.weights)
    net.weights[:], net.biases[:] = views[:n], views[n:]
    return flat


class Pool:
    """The training digits so far: all at once (the subset) or growing chunk by chunk (MNIST)."""

    def __init__(self, opts: dict) -> None:
        from exhibit.learn import data

        self.chunks = None
        if opts["source"] == "subset":
            self.x, self.y = data.load_subset(opts["path"])
            self.n = len(self.x)
        else:
            self.chunks = data.mnist_chunks(opts["path"], seed=opts["seed"])
            self.x = np.zeros((60000, 784), np.uint8)
            self.y = np.zeros(60000, np.int64)
            self.n = 0
            while self.n < 1000 and self.grow():
                pass

    @property
    def growing(self) -> bool:
        return self.chunks is not None

    def grow(self) -> bool:
        """Prepare one more chunk; False when there is none."""
        if self.chunks is None:
            return False
        try:
            cx, cy = next(self.chunks)
        except StopIteration:
            self.chunks = None
            self.x, self.y = self.x[:self.n], self.y[:self.n]
            return False
        if self.n + len(cx) > len(self.x):
            self.x = np.concatenate([self.x, np.zeros_like(self.x)])
            self.y = np.concatenate([self.y, np.zeros_like(self.y)])
        self.x[self.n:self.n + len(cx)] = cx
        self.y[self.n:self.n + len(cy)] = cy
        self.n += len(cx)
        return True


def train(opts: dict, send: Callable[[dict], None], should_stop: Callable[[], bool] = lambda: False,
          max_seconds: float | None = None) -> MLP:
    """Train and report until ``should_stop`` (or ``max_seconds``); returns the network."""
    from exhibit.learn import data

    o = dict(DEFAULTS, **opts)
    rng = np.random.default_rng(o["seed"])
    net = MLP.init(SIZES, rng)
    t0 = time.monotonic()
    clock = lambda: time.monotonic() - t0  # noqa: E731
    step = seen = 0

    def send_weights() -> None:
        send({"kind": "weights", "step": step, "seen": seen, "t": round(clock(), 3),
              "weights": net.weights, "biases": net.biases})

    send_weights()  # random weights: the screen shows them at once
    xe, ye = data.held_out(o["held_out"] or None, seed=o["seed"])
    pool = Pool(o)
    send({"kind": "data", "source": o["source"], "n": pool.n})
    flat = flatten(net)  # one buffer: Adam is a handful of numpy operations a step
    adam = Adam([flat], o["lr"], moments=np.float32)
    eye = np.eye(10, dtype=np.float32)
    batch = o["batch"]
    next_weights = clock() + o["weights_every"]
    next_acc = 0.0
    spent_preparing = spent_training = 0.0
    started = None  # when training began (the data is in)
    while not should_stop():
        now = clock()
        if max_seconds is not None and now >= max_seconds:
            break
        if now >= next_acc:
            send({"kind": "accuracy", "step": step, "seen": seen, "t": round(now, 3),
                  "accuracy": round(accuracy(net, xe, ye), 4), "n": len(ye)})
            next_acc = clock() + o["accuracy_every"]
        if pool.growing and spent_preparing <= o["prepare_share"] * (spent_preparing + spent_training):
            a = time.monotonic()
            if pool.grow():
                send({"kind": "data", "source": o["source"], "n": pool.n})
            spent_preparing += time.monotonic() - a
            continue
        if started is None:
            started = now
        paced = now - started < o["pace_seconds"]
        if paced and seen >= o["pace_rate"] * (now - started):
            time.sleep(0.01)  # the first seconds are paced so that people can watch the climb
            continue
        batch = o["pace_batch"] if paced else o["batch"]
        a = time.monotonic()
        for _ in range(8):  # a few batches between looks at the clock
            idx = rng.integers(0, pool.n, batch)
            f = min(1.0, clock() / o["decay_seconds"])  # learning rate decays geometrically
            adam.lr = o["lr"] * (o["lr_final"] / o["lr"]) ** f
            train_batch(net, adam, pool.x[idx], pool.y[idx], eye)
            step += 1
            seen += batch
        spent_training += time.monotonic() - a
        if clock() >= next_weights:
            send_weights()
            next_weights = clock() + o["weights_every"]
    send_weights()
    return net


def teach_task(opts: dict, send: Callable[[dict], None]) -> None:
    """``task: teach``: one job from the pipe ``job_fd`` (weights, the visitor's picture, the
    digit meant), fine-tuned with a replay of the training subset; the copy goes back."""
    from multiprocessing.connection import Connection

    from exhibit.learn import data, teach

    with Connection(int(opts["job_fd"]), writable=False) as conn:
        job = conn.recv()
    net = MLP([np.asarray(w, np.float32) for w in job["weights"]],
              [np.asarray(b, np.float32) for b in job["biases"]])
    rx, ry = data.load_subset(opts["path"])
    copy = teach.teach(net, np.asarray(job["picture"], np.float32), int(job["meant"]), rx, ry,
                       seed=int(opts.get("seed", 0)))
    send({"kind": "taught", "weights": copy.weights, "biases": copy.biases})


def _lifeline() -> None:
    """End this process when the exhibit goes away: its stdin reaches EOF."""
    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except Exception:  # noqa: BLE001
            pass
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except Exception:  # noqa: BLE001 - the stdin lifeline still holds
            pass


def main(argv: list[str]) -> int:
    from multiprocessing.connection import Connection

    opts = json.loads(argv[0])
    parent = int(opts.get("parent", 0))
    _lifeline()
    if parent and os.getppid() != parent:  # the exhibit died before the lifeline was in place
        return 0
    conn = Connection(int(opts["fd"]), readable=False)
    try:
        os.nice(int(opts.get("nice", 5)))  # the exhibit's frames come first when cores are busy
    except (OSError, AttributeError):
        pass

    def send(msg: dict) -> None:
        try:
            conn.send(msg)
        except (BrokenPipeError, OSError):
            os._exit(0)  # nobody listens any more

    code = 0
    try:
        (teach_task if opts.get("task") == "teach" else train)(opts, send)
    except Exception as e:  # noqa: BLE001 - reported, then this process ends
        send({"kind": "error", "message": f"{type(e).__name__}: {e}"[:300]})
        code = 1
    conn.close()
    os._exit(code)  # at once: the lifeline thread still reads stdin (a shutdown would abort)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
