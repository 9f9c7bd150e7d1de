"""The 'not a digit' gate: real digits pass, generated non-digits get '?', loading is safe."""
import json
import shutil

import numpy as np
import pytest

from exhibit.cli import main
from exhibit.ink.normalize import InputSpec, preprocess
from exhibit.model import store as gate_io
from exhibit.model.store import WeightsError, load_model
from exhibit.recognize import Recognizer, default_gate
from exhibit_training import negatives

from support import ROOT


@pytest.fixture(scope="module")
def gate():
    return gate_io.load_gate()


def test_gate_loads_verified_with_a_threshold(gate):
    assert 0.0 < gate.threshold < 1.0
    assert gate.manifest["sizes"][0] == 784 and gate.manifest["sizes"][-1] == 1
    assert "Alpaydin" in json.dumps(gate.manifest)


def test_the_sample_digits_are_not_unsure(gate):
    z = np.load(ROOT / "assets" / "samples.npz", allow_pickle=False)
    pics = [preprocess(im.astype(np.float32) / 255.0, InputSpec(28, True)) for im in z["images"]]
    unsure = gate.score(np.stack([p.ravel() for p in pics])) < gate.threshold
    assert unsure.mean() <= 0.04, int(unsure.sum())


def test_generated_scribbles_and_shapes_are_unsure(gate):
    # a seed the gate was never trained on
    drawings, kinds = negatives.generate(300, seed=424242)
    pics = np.stack([preprocess(d, InputSpec(28, True), stroke_width=2.4).ravel() for d in drawings])
    unsure = gate.score(pics) < gate.threshold
    assert unsure.mean() >= 0.8, unsure.mean()


def test_classify_rows_say_unsure(tmp_path, capsys):
    rng = np.random.default_rng(3)
    doc = {"box": [500, 500], "digits": [
        {"strokes": [s.tolist() for s in d]} for d in negatives.generate(20, seed=77)[0]]}
    f = tmp_path / "doodles.json"
    f.write_text(json.dumps(doc))
    assert main(["classify", str(f), str(ROOT / "assets/examples/digits.json")]) == 0
    rows = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    doodles = [r for r in rows if r["source"] == str(f)]
    digits = [r for r in rows if r["source"] != str(f)]
    assert all(isinstance(r["unsure"], bool) for r in rows)
    assert all(r["prediction"] is not None for r in doodles)  # still the top digit
    assert np.mean([r["unsure"] for r in doodles]) >= 0.7
    assert np.mean([r["unsure"] for r in digits]) <= 0.1
    del rng


def test_snapshot_unsure_is_the_gate_verdict(gate):
    rec = Recognizer(load_model("compact14"))
    assert rec.gate is default_gate()
    drawings, _ = negatives.generate(5, seed=5)
    for d in drawings:
        snap = rec.read(d)
        pic28 = preprocess(d, InputSpec(28, True), stroke_width=rec.stroke_width)
        assert snap.picture.shape == (14, 14)
        assert snap.unsure == (gate.score(pic28) < gate.threshold)
    assert rec.read([]).unsure is False
    assert Recognizer(load_model("explainer"), gate=None).read(drawings[0]).unsure is False


def test_a_replaced_gate_is_refused(tmp_path):
    for ext in ("npz", "json"):
        shutil.copy(gate_io.GATE_PATH.with_suffix("." + ext), tmp_path / f"gate.{ext}")
    with np.load(tmp_path / "gate.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["b1"] = arrays["b1"] + 1.0
    np.savez(tmp_path / "gate.npz", **arrays)
    with pytest.raises(WeightsError, match="does not match"):
        gate_io.load_gate(tmp_path / "gate.npz")


def test_raster_negatives_are_the_solid_pictures_the_gate_missed():
    """All ink, flat grey, a digit on grey and filled blocks: pictures, not drawings, that go
    through the raster path of the one preprocessing (issue 27's blind spots)."""
    from exhibit_training import pendigits

    pen = pendigits.load(ROOT / "tests" / "data" / "pen-4-writers.json.gz")
    pics, kinds = negatives.rasters(120, seed=3, digits=pen.strokes)
    assert set(kinds) == set(negatives.RASTER_FAMILIES)
    for p, k in zip(pics, kinds):
        assert p.ndim == 2 and 0.0 <= p.min() and p.max() <= 1.0
        if k in ("raster-solid", "raster-grey"):
            assert p.std() < 0.06 and p.mean() > 0.1  # flat, and ink everywhere
        if k == "raster-grey-digit":
            bg = np.median(p)
            assert 0.15 < bg < 0.75 and (p > bg + 0.2).mean() > 0.03  # a digit on the grey
        assert preprocess(p, InputSpec(28, True)) is not None
    # without digits there is no digit-on-grey family
    assert "raster-grey-digit" not in negatives.rasters(40, seed=4)[1]


def test_house_doodles_the_networks_read_as_0_and_8_are_negative_families():
    fams = negatives.families()
    for name in ("shape-hut", "shape-eaves"):
        for seed in range(20):
            st = fams[name](np.random.default_rng(seed))
            pts = np.concatenate(st)
            assert pts[:, 1].min() == 0.0  # the roof's peak on top
            walls_top = st[0][0, 1]  # the walls are drawn first, from the top of one
            assert 0.3 <= walls_top <= 0.55  # where the walls meet the roof
    eaves = fams["shape-eaves"](np.random.default_rng(0))
    walls, roof = eaves[0], eaves[1]
    assert roof[:, 0].min() < walls[:, 0].min() and roof[:, 0].max() > walls[:, 0].max()


def test_negative_inputs_mix_in_raster_pictures_by_share():
    from exhibit_training import gate_train

    x, kinds = gate_train.negative_inputs(200, seed=9, raster_share=0.25)
    assert x.shape[1] == 784
    n_r = sum(k.startswith("raster-") for k in kinds)
    assert 40 <= n_r <= 50  # 50 asked; a picture may come out empty
    x0, k0 = gate_train.negative_inputs(200, seed=9)
    assert not any(k.startswith("raster-") for k in k0)
