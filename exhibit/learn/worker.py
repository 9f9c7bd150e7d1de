"""The learning process: trains a network of the visitor's design (by default the explainer's
shape, 784-25-25-10, relu) from random weights with mini-batch Adam and reports to the exhibit;
or (``task: teach``) fine-tunes a copy of a network on one visitor's digit (:func:`teach_task`).
numpy only: this module never imports pygame.

Started by :mod:`exhibit.learn.session` as ``python -m exhibit.learn.worker JSON`` with one BLAS
thread, a pipe to write to (fd in the JSON) and its stdin as a lifeline: when the exhibit goes
away (stopped, crashed or killed) stdin reaches EOF and this process ends; on Linux the kernel
also sends it SIGTERM when its parent dies. The exhibit also writes text lines to stdin:
``pause``, ``run`` and ``step`` (while paused: train exactly one mini-batch, then report the
weights and the accuracy at once). Messages (pickled dicts over a
``multiprocessing.connection.Connection``):

- ``{"kind": "weights", "step", "seen", "t", "weights": [W...], "biases": [b...], "activation"}``,
  a few a second (the first one, random weights, before any data is read);
- ``{"kind": "accuracy", "step", "seen", "t", "accuracy", "loss", "n"}`` on held-out digits
  (``loss``: their mean cross-entropy), about once a second;
- ``{"kind": "data", "source", "n"}`` when the training digits are ready (or grow);
- ``{"kind": "finished", "step", "seen", "t", "accuracy", "loss"}`` after ``max_seconds`` of
  training (just after the final weights); then the process ends (exit 0);
- ``{"kind": "diverged", "step", "seen", "t"}`` when the weights or the loss stopped being finite
  numbers (a learning rate far too high); then the process ends (exit 0);
- ``{"kind": "error", "message"}`` before it gives up (exit 1).

``t`` is seconds on a clock that stands still while paused. The first ``pace_seconds`` of
training are paced (at most ``pace_rate`` digits a second, in small batches), so that the climb
from chance to about 90 % takes long enough to be watched (without it, 6,000 digits and about
one second get there); after that it runs flat out.

The design (options ``hidden``, ``activation``, ``rate``) is checked by :func:`check_design`;
``rate`` names a learning-rate schedule in :data:`RATES`.
"""
from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from typing import Callable, Sequence

import numpy as np

from exhibit.model.fit import Adam
from exhibit.model.mlp import ACTIVATIONS, MLP

SIZES = (784, 25, 25, 10)  # the default design: the explainer's shape
HIDDEN = [25, 25]
MAX_LAYERS = 2  # hidden layers a design may have
MAX_WIDTH = 128  # neurons a hidden layer may have
# Adam's learning rate per preset: (at the start, at the end), decaying geometrically over
# ``decay_seconds`` of the clock. "good" is the schedule live learning always had; "slow" a tenth
# of it (it learns, visibly slower); "too_fast" 10,000 times "good": every step overshoots, and
# about a second in, the held-out loss is more than ten times a uniform guess's for every
# design measured (tests/test_design_core.py sweeps them). With hidden layers the accuracy falls
# to about chance too; without, it stays near 75 %: a softmax regression's argmax does not care
# how large its weights grow, only its confidence (so its loss) does.
RATES: dict[str, tuple[float, float]] = {
    "slow": (3e-4, 5e-5),
    "good": (3e-3, 5e-4),
    "too_fast": (30.0, 30.0),
}
# Learning has diverged when the held-out loss is this far above a uniform guess's (ln 10, where
# every network starts): confidently wrong. Adam's steps are bounded, so the weights rarely
# overflow; the loss says it first. Slow and good runs start at ln 10 and only go down.
CHANCE_LOSS = math.log(10)
DIVERGED_LOSS = 2 * CHANCE_LOSS
DIVERGED_READINGS = 3  # readings (about a second apart) above it before "diverged" is said
DEFAULTS = {"seed": 0, "batch": 128, "decay_seconds": 40.0,
            "weights_every": 0.25, "accuracy_every": 1.0, "held_out": 2000,
            "prepare_share": 0.5, "pace_seconds": 20.0, "pace_rate": 300.0, "pace_batch": 16,
            "source": "subset", "path": "", "hidden": HIDDEN, "activation": "relu",
            "rate": "good", "max_seconds": None}


def check_design(hidden: Sequence[int], activation: str = "relu", rate: str = "good") -> list[int]:
    """The layer sizes (784, *hidden, 10) of a design; ValueError for one the exhibit does not
    offer: at most MAX_LAYERS hidden layers of 1..MAX_WIDTH neurons, a known activation and
    learning-rate preset."""
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise ValueError(f"hidden {hidden!r}: expected a list of layer sizes")
    if len(hidden) > MAX_LAYERS:
        raise ValueError(f"hidden {list(hidden)}: at most {MAX_LAYERS} hidden layers")
    for n in hidden:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_WIDTH:
            raise ValueError(f"hidden {list(hidden)}: each layer 1 to {MAX_WIDTH} neurons")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}")
    if rate not in RATES:
        raise ValueError(f"rate {rate!r}: expected one of {', '.join(RATES)}")
    return [SIZES[0], *(int(n) for n in hidden), SIZES[-1]]


class Controls:
    """What the exhibit said over stdin: paused or running, and single steps asked for while
    paused. Written by the lifeline thread, read by the training loop."""

    def __init__(self) -> None:
        self.paused = False
        self._steps = 0
        self._lock = threading.Lock()

    def command(self, line: str) -> None:
        """One line from the exhibit: ``pause``, ``run`` or ``step`` (anything else: ignored)."""
        with self._lock:
            if line == "pause":
                self.paused = True
            elif line == "run":
                self.paused, self._steps = False, 0
            elif line == "step" and self.paused:
                self._steps += 1

    def take_step(self) -> bool:
        """Whether a single step is due (and count it done)."""
        with self._lock:
            if self._steps:
                self._steps -= 1
                return True
            return False


def held_out_scores(net: MLP, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of ``net`` on uint8 inputs ``x`` (n, 784), labels ``y``.
    The loss comes from the logits (log-sum-exp), so it is not capped: it climbs without bound
    when learning diverges, and is NaN or inf once the weights are."""
    with np.errstate(all="ignore"):
        z = net.forward(x.astype(np.float32) * (1 / 255.0)).zs[-1].astype(np.float64)
        top = z.max(axis=1)
        lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
        loss = float((lse - z[np.arange(len(y)), y]).mean())
        acc = float((z.argmax(axis=1) == y).mean()) if len(y) else 0.0
    return acc, loss


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
          controls: Controls | None = None) -> MLP:
    """Train the design in ``opts`` and report until ``should_stop``, ``max_seconds`` of
    training (then "finished") or divergence (then "diverged"); returns the network.
    ``controls``: pause, run and single steps (from stdin in the process; tests pass their own)."""
    from exhibit.learn import data

    o = dict(DEFAULTS, **opts)
    sizes = check_design(o["hidden"], o["activation"], o["rate"])
    lr0, lr1 = RATES[o["rate"]]
    lr0, lr1 = float(o.get("lr", lr0)), float(o.get("lr_final", lr1))  # a test may set its own
    max_seconds = None if o["max_seconds"] is None else float(o["max_seconds"])
    controls = controls or Controls()
    rng = np.random.default_rng(o["seed"])
    net = MLP.init(sizes, rng, o["activation"])
    t0 = time.monotonic()
    paused_for = 0.0  # seconds spent paused: the clock below leaves them out
    clock = lambda: time.monotonic() - t0 - paused_for  # noqa: E731
    step = seen = 0

    def send_weights() -> None:
        send({"kind": "weights", "step": step, "seen": seen, "t": round(clock(), 3),
              "weights": net.weights, "biases": net.biases, "activation": net.activation})

    def send_scores(kind: str = "accuracy") -> bool:
        """The held-out accuracy and loss (``kind`` "accuracy" or "finished"); False, after
        "diverged", when an accuracy reading's loss says learning blew up."""
        acc, loss = held_out_scores(net, xe, ye)
        msg = {"kind": kind, "step": step, "seen": seen, "t": round(clock(), 3),
               "accuracy": round(acc, 4), "loss": round(loss, 4) if math.isfinite(loss) else loss}
        send(msg if kind != "accuracy" else dict(msg, n=len(ye)))
        nonlocal bad_readings
        if kind != "accuracy" or (math.isfinite(loss) and loss <= DIVERGED_LOSS):
            bad_readings = 0
            return True
        bad_readings += 1  # a few readings in a row: the screen shows the collapse first
        if bad_readings < DIVERGED_READINGS and math.isfinite(loss):
            return True
        send_diverged()
        return False

    def send_diverged() -> None:
        send({"kind": "diverged", "step": step, "seen": seen, "t": round(clock(), 3)})

    def one_batch(batch: int) -> None:
        nonlocal step, seen
        idx = rng.integers(0, pool.n, batch)
        f = min(1.0, clock() / o["decay_seconds"])  # learning rate decays geometrically
        adam.lr = lr0 * (lr1 / lr0) ** f
        with np.errstate(all="ignore"):  # overflow is what divergence looks like: checked below
            train_batch(net, adam, pool.x[idx], pool.y[idx], eye)
        step += 1
        seen += batch

    def blew_up() -> bool:
        """Whether a weight stopped being a finite number (then "diverged" is sent)."""
        if np.isfinite(flat).all():
            return False
        send_diverged()
        return True

    bad_readings = 0
    send_weights()  # random weights: the screen shows them at once
    xe, ye = data.held_out(o["held_out"] or None, seed=o["seed"])
    pool = Pool(o)
    send({"kind": "data", "source": o["source"], "n": pool.n})
    flat = flatten(net)  # one buffer: Adam is a handful of numpy operations a step
    adam = Adam([flat], lr0, moments=np.float32)
    eye = np.eye(10, dtype=np.float32)
    next_weights = clock() + o["weights_every"]
    next_acc = 0.0
    spent_preparing = spent_training = 0.0
    started = None  # when training began (the data is in), on the clock
    holding = False  # paused, and the network as it stands was sent
    while not should_stop():
        if controls.paused:
            a = time.monotonic()
            if not holding:  # the screen shows the very network that waits
                holding = True
                send_weights()
                if not send_scores():
                    return net
            elif controls.take_step():
                paced = started is None or clock() - started < o["pace_seconds"]
                one_batch(o["pace_batch"] if paced else o["batch"])
                if blew_up():
                    return net
                send_weights()
                if not send_scores():
                    return net
            else:
                time.sleep(0.01)
            paused_for += time.monotonic() - a
            continue
        holding = False
        now = clock()
        if max_seconds is not None and started is not None and now - started >= max_seconds:
            send_weights()
            send_scores("finished")
            return net
        if now >= next_acc:
            if not send_scores():
                return net
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
        a = time.monotonic()
        for _ in range(8):  # a few batches between looks at the clock
            one_batch(o["pace_batch"] if paced else o["batch"])
        spent_training += time.monotonic() - a
        if blew_up():
            return net
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
              [np.asarray(b, np.float32) for b in job["biases"]], job.get("activation", "relu"))
    rx, ry = data.load_subset(opts["path"])
    copy = teach.teach(net, np.asarray(job["picture"], np.float32), int(job["meant"]), rx, ry,
                       seed=int(opts.get("seed", 0)))
    send({"kind": "taught", "weights": copy.weights, "biases": copy.biases,
          "activation": copy.activation})


def _lifeline(controls: Controls) -> None:
    """End this process when the exhibit goes away: its stdin reaches EOF. Until then its lines
    are the exhibit's controls (pause, run, step)."""
    def watch() -> None:
        try:
            for line in sys.stdin.buffer:
                controls.command(line.decode("ascii", "replace").strip())
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
    controls = Controls()
    _lifeline(controls)
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
        if opts.get("task") == "teach":
            teach_task(opts, send)
        else:
            train(opts, send, controls=controls)
    except Exception as e:  # noqa: BLE001 - reported, then this process ends
        send({"kind": "error", "message": f"{type(e).__name__}: {e}"[:300]})
        code = 1
    conn.close()
    os._exit(code)  # at once: the lifeline thread still reads stdin (a shutdown would abort)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
