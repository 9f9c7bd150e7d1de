"""Live learning's stand-in for screenshots (exhibit/tools/shots.py): the learning process
trains on the wall clock, so its curve and weights differ from run to run; this one trains a
fixed number of steps in this process, from a fixed seed."""
from __future__ import annotations

import numpy as np

from exhibit.model.fit import Adam, accuracy
from exhibit.model.store import LoadedModel


class Rehearsal:
    """Live learning's stand-in (same interface as :class:`exhibit.learn.session.Learner`):
    a fixed number of training steps done here, with a fixed seed, so that the curve and the
    weights a shot shows do not depend on the machine's speed. ``options`` may name a design
    (``hidden``, ``activation``), as the learning process takes it."""

    pid, crashed, ROUNDS, STEPS = 0, None, 4, 25
    finished = diverged = ended = False
    final_accuracy = None

    def __init__(self, source: tuple[str, str], spec, seed: int = 0,
                 options: dict | None = None) -> None:
        from exhibit.learn import data, worker
        from exhibit.learn.session import NAME
        from exhibit.model.mlp import MLP

        o = options or {}
        sizes = (784, *o["hidden"], 10) if "hidden" in o else worker.SIZES
        pool = worker.Pool({"source": source[0], "path": source[1], "seed": seed})
        xe, ye = data.held_out(500, seed=seed)
        rng = np.random.default_rng(seed)
        net = MLP.init(sizes, rng, activation=o.get("activation", "relu"))
        flat, eye = worker.flatten(net), np.eye(10, dtype=np.float32)
        adam = Adam([flat], 3e-3, moments=np.float32)
        self.curve, self.loss_curve, self.n_held_out, self.seen = [], [], len(ye), 0
        self.paused = False
        for k in range(self.ROUNDS):
            for _ in range(self.STEPS):
                idx = rng.integers(0, pool.n, 64)
                worker.train_batch(net, adam, pool.x[idx], pool.y[idx], eye)
                self.seen += len(idx)
            p = net.predict(xe.astype(np.float32) * (1 / 255.0) if xe.dtype == np.uint8 else xe)
            loss = float(-np.log(np.clip(p[np.arange(len(ye)), ye], 1e-12, 1.0)).mean())
            self.curve.append((2.0 * (k + 1), round(accuracy(net, xe, ye), 4)))
            self.loss_curve.append((2.0 * (k + 1), round(loss, 4)))
        self._model: LoadedModel | None = LoadedModel(NAME, net, spec, {"learning": True})

    def take(self) -> LoadedModel | None:
        model, self._model = self._model, None
        return model

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def step_once(self) -> None:
        pass

    def stop(self, wait: float = 0.0) -> None:
        pass
