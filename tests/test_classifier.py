"""Classifier: training on the tiny fixture-font dataset, model directories, ONNX, best-epoch logic."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads: this CPU is shared

import json  # noqa: E402
import shutil  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

import classifier.train as trainer  # noqa: E402
from classifier import ModelError, build_classifier, load_model  # noqa: E402
from classifier.config import TrainConfig  # noqa: E402
from classifier.data import augment, split_indices, split_variants  # noqa: E402
from classifier.store import save_model_dir  # noqa: E402
from glyphs.config import GenerateConfig  # noqa: E402
from glyphs.dataset import load_dataset  # noqa: E402
from glyphs.generate import generate  # noqa: E402
from glyphs.labels import FontLabel, LabelMap  # noqa: E402

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    """5 fixture families x 4 variants of real rendered words (about 3,000 glyphs)."""
    out = tmp_path_factory.mktemp("glyphs")
    cfg = GenerateConfig(out=str(out), catalog=str(FIX / "catalog-tiny.txt"), cache=str(FIX / "fonts"),
                         variants=4, num_shards=2, workers=1)
    assert generate(cfg) == 0
    return out


def _cfg(data: Path, out: Path, **kw) -> TrainConfig:
    base = dict(data=str(data), out=str(out), arch="tiny", epochs=3, batch_size=64, lr=5e-3,
                warmup_steps=10, val_fraction=0.25, progress=False, threads=1)
    return TrainConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def trained(tiny_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model")
    assert trainer.train(_cfg(tiny_data, out)) == 0
    return out


def _rows(model_dir: Path) -> list[dict]:
    return [json.loads(x) for x in (model_dir / "metrics.jsonl").read_text().splitlines()]


def test_tiny_training_loss_falls_and_writes_run_files(trained):
    rows = _rows(trained)
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert rows[-1]["train_loss"] < rows[0]["train_loss"]
    assert rows[-1]["val_loss"] < np.log(5) - 0.2  # better than chance over 5 fonts
    for name in ("model.safetensors", "labels.json", "config.json", "curves.png", "predictions_epoch03.png",
                 "prototypes.safetensors", "checkpoint/state.safetensors"):
        assert (trained / name).is_file(), name
    cfg = json.loads((trained / "config.json").read_text())
    assert cfg["model_args"]["num_fonts"] == 5 and cfg["val_variants"]
    assert {"samples_per_s", "epoch_wall_s", "val_top5", "val_weight_mae"} <= set(rows[0])


def test_validation_holds_out_whole_variants(tiny_data):
    ds = load_dataset(tiny_data)
    val = split_variants(ds.variant, 0.25, 0)
    tr, va = split_indices(ds, val)
    assert len(tr) and len(va) and not set(ds.variant[tr]) & set(ds.variant[va])


def test_save_load_gives_identical_outputs_and_label_order(trained, tiny_data):
    model = load_model(trained)
    ds = load_dataset(tiny_data)
    assert model.labels == ds.labels
    chars = [ds.labels.glyph_set[i] for i in ds.char[:50]]
    a, b = model.score(np.asarray(ds.images[:50]), chars), load_model(trained).score(np.asarray(ds.images[:50]), chars)
    np.testing.assert_array_equal(a.log_probs, b.log_probs)
    assert a.log_probs.shape == (50, 5) and a.embedding.shape == (50, model.net.args.embed_dim)
    with torch.inference_mode():
        ref = model.net(torch.from_numpy(np.asarray(ds.images[:50])), torch.from_numpy(model.char_indices(chars)))
    np.testing.assert_allclose(a.embedding, ref.embedding.numpy(), atol=1e-6)
    np.testing.assert_allclose(a.weight, ref.weight.numpy(), atol=1e-4)
    if model.scoring == "head":
        np.testing.assert_allclose(a.log_probs, ref.log_probs.numpy(), atol=1e-6)
    net2 = build_classifier("tiny", 3, 4, size=8)
    labels = LabelMap(tuple(FontLabel(f"f{i}", f"F {i}") for i in (2, 0, 1)), glyph_set="abcd",
                      norm=replace(ds.labels.norm, size=8))
    d = save_model_dir(trained.parent / "roundtrip", net2, labels, {})
    assert [f.family for f in load_model(d).labels.fonts] == ["f2", "f0", "f1"]


def test_unknown_character_and_bad_input(trained):
    model = load_model(trained)
    imgs = np.zeros((3, 40, 40), np.uint8)
    s = model.score(imgs, ["A", "", "€"])
    assert list(model.char_indices(["A", "", "€"])) == [0, 62, 62]
    assert np.all(np.isfinite(s.log_probs)) and np.allclose(np.exp(s.log_probs).sum(1), 1, atol=1e-5)
    assert model.score(np.zeros((0, 40, 40), np.uint8), []).log_probs.shape == (0, 5)
    with pytest.raises(ValueError):
        model.score(imgs.astype(np.float32), ["A"] * 3)
    with pytest.raises(ValueError):
        model.score(imgs, ["A"])


def test_mismatched_or_missing_labels_are_refused(trained, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(trained, bad, ignore=shutil.ignore_patterns("checkpoint"))
    labels = LabelMap.load(bad)
    replace(labels, fonts=labels.fonts[:4]).save(bad)
    with pytest.raises(ModelError, match="4 fonts but the model outputs 5"):
        load_model(bad)
    (bad / "labels.json").unlink()
    with pytest.raises(ModelError, match="labels.json is missing"):
        load_model(bad)


def test_onnx_export_matches_torch(trained, tmp_path):
    from classifier.export import export_onnx, onnx_differences

    path = export_onnx(trained, tmp_path / "m.onnx")
    diffs = onnx_differences(trained, path, n=33)
    assert max(diffs.values()) <= 1e-4, diffs


def test_onnx_model_scores_like_torch_in_every_mode_and_checks_its_weights(trained, tiny_data, tmp_path):
    """The ONNX path (no torch at run time) reproduces GlyphModel.score: head, prototypes, both."""
    from classifier.export import export_onnx, is_current
    from classifier.inference import GlyphModel
    from classifier.onnx_inference import OnnxGlyphModel, load_onnx_model
    from classifier.store import load_prototypes

    d = tmp_path / "m"
    shutil.copytree(trained, d)
    assert not is_current(d)
    export_onnx(d)
    assert is_current(d)
    ref, got = load_model(d), load_onnx_model(d)
    data = load_dataset(tiny_data)
    imgs = data.images[:70]
    chars = [data.labels.glyph_set[int(c)] for c in data.char[:70]]
    chars[::7] = [""] * len(chars[::7])  # some glyphs with the character withheld
    protos = load_prototypes(d)
    for mode in ("head", "prototype", "both"):
        a = GlyphModel(ref.net, ref.labels, {**ref.config, "scoring": mode}, protos=protos).score(imgs, chars)
        b = OnnxGlyphModel(got.session, got.labels, {**got.config, "scoring": mode},
                           protos.numpy(), batch_size=32).score(imgs, chars)
        for name in ("log_probs", "weight", "width", "italic_prob", "embedding"):
            scale = 400.0 if name == "weight" else 25.0 if name == "width" else 1.0
            np.testing.assert_allclose(getattr(b, name) / scale, getattr(a, name) / scale, atol=2e-4, err_msg=name)
        assert (a.log_probs.argmax(1) == b.log_probs.argmax(1)).all()
    assert len(got.score(np.zeros((0, 40, 40), np.uint8), [])) == 0
    with torch.no_grad():
        next(ref.net.parameters()).add_(0.1)  # retrained weights, stale model.onnx
    save_model_dir(d, ref.net, ref.labels, ref.config)
    with pytest.raises(ModelError, match="not exported from the model.safetensors beside it"):
        load_onnx_model(d)


def test_best_epoch_is_saved_not_the_last(tiny_data, tmp_path, monkeypatch):
    scores, snapshots = iter([0.5, 0.9, 0.3]), []

    def fake_validate(run):
        snapshots.append({k: v.clone() for k, v in run.net.state_dict().items()})
        m = {"val_top1": next(scores), "val_loss": 1.0, "val_top5": 1.0, "val_top1_nochar": 0.0,
             "val_weight_mae": 0.0}
        return m, torch.zeros((len(run.val), 5), dtype=torch.long)

    monkeypatch.setattr(trainer, "validate", fake_validate)
    trainer.train(_cfg(tiny_data, tmp_path, batch_size=256))  # 11 steps per epoch
    saved = load_file(str(tmp_path / "model.safetensors"))
    assert json.loads((tmp_path / "config.json").read_text())["epoch"] == 2
    assert all(torch.equal(saved[k], snapshots[1][k]) for k in saved)
    assert not all(torch.equal(saved[k], snapshots[2][k]) for k in saved)


def test_resume_continues_from_checkpoint(tiny_data, tmp_path):
    trainer.train(_cfg(tiny_data, tmp_path, epochs=1, batch_size=256))
    trainer.train(_cfg(tiny_data, tmp_path, epochs=2, batch_size=256))
    rows = _rows(tmp_path)
    assert [r["epoch"] for r in rows] == [1, 2] and rows[-1]["step"] == 2 * rows[0]["step"]


def test_lr_schedule_warms_up_then_decays():
    f = [trainer.lr_factor(s, s / 100, 10, 0.05) for s in range(101)]
    assert f[0] < f[9] <= 1.0 and f[10] >= f[50] >= f[100] and abs(f[100] - 0.05) < 1e-9


def test_augment_shifts_and_drops_characters():
    g = torch.Generator().manual_seed(0)
    x = torch.zeros((500, 10, 10), dtype=torch.uint8)
    x[:, 4:6, 4:6] = 255
    c = torch.zeros(500, dtype=torch.long)
    y, d = augment(x, c, num_chars=7, char_dropout=0.2, shift=1, g=g)
    assert y.shape == x.shape and (y.sum((1, 2)) == x.sum((1, 2))).all() and not torch.equal(x, y)
    assert set(d.tolist()) == {0, 7} and 0.1 < (d == 7).float().mean() < 0.3


def test_cli_evaluate_writes_results(trained, tiny_data, tmp_path, capsys):
    from tests.conftest import run_cli

    assert run_cli("evaluate", "--model", trained, "--data", tiny_data, "--split", "val",
                   "--out", tmp_path, "--name", "t").returncode == 0
    res = json.loads((tmp_path / "classifier_eval_t.json").read_text())
    assert 0 <= res["top1"] <= res["top5"] <= 1 and "head_vs_prototypes" in res
    p = run_cli("evaluate", "--model", tmp_path / "nope", "--data", tiny_data)
    assert p.returncode == 1 and "does not exist" in p.stderr


def test_sweep_writes_table_and_plot(tiny_data, tmp_path):
    from classifier.config import SweepConfig
    from classifier.sweep import sweep

    spec = {"data": str(tiny_data), "base": {"arch": "tiny", "epochs": 1, "max_steps": 3, "batch_size": 64,
                                             "val_fraction": 0.25, "val_max": 200, "threads": 1},
            "runs": [{"name": "a"}, {"name": "b", "arch_overrides": {"widths": [8, 16], "embed_dim": 16}}]}
    (tmp_path / "sweep.json").write_text(json.dumps(spec))
    out = tmp_path / "res" / "sweep"
    assert sweep(SweepConfig(config=str(tmp_path / "sweep.json"), out=str(out), runs=str(tmp_path / "runs"),
                             bench_seconds=0.2)) == 0
    rows = json.loads((tmp_path / "res" / "sweep.json").read_text())
    assert [r["name"] for r in rows] == ["a", "b"] and rows[1]["widths"] == "8-16"
    assert (tmp_path / "res" / "sweep.md").is_file() and (tmp_path / "res" / "sweep.png").is_file()


def test_scoring_modes_give_log_probabilities(trained):
    from classifier.inference import GlyphModel
    from classifier.scoring import choose_scoring
    from classifier.store import load_prototypes

    cfg = json.loads((trained / "config.json").read_text())
    cmp = cfg["head_vs_prototypes"]
    assert cfg["scoring"] == choose_scoring(cmp) and cfg["prototype_scale"] > 0
    assert {"head_top1", "proto_top1", "both_nll", "both_top1_nochar"} <= set(cmp)
    m, protos = load_model(trained), load_prototypes(trained)
    assert protos.shape[:2] == (5, 63)
    imgs = np.zeros((4, 40, 40), np.uint8)
    for mode in ("head", "prototype", "both"):
        g = GlyphModel(m.net, m.labels, {**m.config, "scoring": mode}, protos=protos)
        s = g.score(imgs, ["A", "b", "", "1"])
        np.testing.assert_allclose(np.exp(s.log_probs).sum(1), 1, atol=1e-5)
    with pytest.raises(ModelError):
        GlyphModel(m.net, m.labels, {**m.config, "scoring": "prototype"}, protos=None)


def test_wandb_logging_is_optional_and_offline_by_default(monkeypatch, tmp_path):
    import sys
    import types

    from classifier.wandb_log import WandbLogger

    calls = []
    run = types.SimpleNamespace(log=lambda row, step: calls.append((row, step)), finish=lambda: calls.append("end"))
    fake = types.SimpleNamespace(init=lambda **kw: calls.append(kw) or run)
    monkeypatch.setitem(sys.modules, "wandb", fake)
    monkeypatch.delenv("WANDB_MODE", raising=False)
    log = WandbLogger(TrainConfig(wandb=True, out=str(tmp_path)))
    log.log({"step": 3, "val_top1": 0.5})
    log.finish()
    assert calls[0]["mode"] == "offline" and calls[1] == ({"step": 3, "val_top1": 0.5}, 3) and calls[2] == "end"
    monkeypatch.setitem(sys.modules, "wandb", None)  # not installed: a no-op
    WandbLogger(TrainConfig(wandb=True)).log({"step": 1})
    WandbLogger(TrainConfig(wandb=False)).log({"step": 1})


def test_evaluate_can_fit_and_save_prototypes(trained, tiny_data, tmp_path):
    from tests.conftest import run_cli

    d = tmp_path / "m"
    shutil.copytree(trained, d, ignore=shutil.ignore_patterns("checkpoint", "prototypes.safetensors", "*.png"))
    assert run_cli("evaluate", "--model", d, "--data", tiny_data, "--split", "val",
                   "--save-prototypes", "both", "--out", "").returncode == 0
    cfg = json.loads((d / "config.json").read_text())
    assert (d / "prototypes.safetensors").is_file() and cfg["scoring"] == "both"
    s = load_model(d).score(np.zeros((2, 40, 40), np.uint8), ["a", "?"])
    np.testing.assert_allclose(np.exp(s.log_probs).sum(1), 1, atol=1e-5)


def test_init_from_starts_with_the_given_weights(trained, tiny_data, tmp_path):
    run = trainer.prepare(_cfg(tiny_data, tmp_path, init_from=str(trained)))
    saved = load_file(str(trained / "model.safetensors"))
    assert all(torch.equal(saved[k], v) for k, v in run.net.state_dict().items())


@pytest.mark.parametrize("change, message", [
    ({"val_fraction": 0.5}, "--val-fraction"),  # another split would leak trained glyphs into validation
    ({"arch_overrides": '{"embed_dim": 16}'}, "architecture"),
    ({"init_from": "no/such/model"}, "does not exist"),
])
def test_init_from_refuses_a_mismatched_model(trained, tiny_data, tmp_path, change, message):
    cfg = _cfg(tiny_data, tmp_path, **{"init_from": str(trained), **change})
    with pytest.raises(trainer.TrainError, match=message):
        trainer.prepare(cfg)


def test_init_from_accepts_a_new_dataset_of_the_same_families(trained, tmp_path):
    # another generation seed: none of its glyphs is one the source trained on, so its own
    # held-out variants are clean even where they differ from the source's
    cfg = GenerateConfig(out=str(tmp_path / "glyphs"), catalog=str(FIX / "catalog-tiny.txt"), cache=str(FIX / "fonts"),
                         variants=6, num_shards=1, workers=1, seed=3)
    assert generate(cfg) == 0
    run = trainer.prepare(_cfg(tmp_path / "glyphs", tmp_path / "out", init_from=str(trained)))
    saved = load_file(str(trained / "model.safetensors"))
    assert run.val_variants != json.loads((trained / "config.json").read_text())["val_variants"]
    assert all(torch.equal(saved[k], v) for k, v in run.net.state_dict().items())


def _subset_model(trained: Path, out: Path, drop: int) -> tuple[Path, list[str]]:
    """The trained model without family ``drop``, its families in reverse order (a real smaller model)."""
    from classifier.store import read_model_dir

    net, labels, config = read_model_dir(trained)
    keep = [i for i in reversed(range(labels.num_fonts)) if i != drop]
    small = build_classifier("tiny", len(keep), labels.num_chars)
    state = net.state_dict()
    state["font_head.weight"], state["font_head.bias"] = state["font_head.weight"][keep], state["font_head.bias"][keep]
    small.load_state_dict(state)
    sub = replace(labels, fonts=tuple(labels.fonts[i] for i in keep))
    save_model_dir(out, small, sub, {k: v for k, v in config.items() if k != "model_args"})
    return out, [f.family for f in sub.fonts]


def test_init_from_a_smaller_label_map_keeps_rows_by_id_and_imprints_new_families(trained, tiny_data, tmp_path):
    src, src_ids = _subset_model(trained, tmp_path / "src", drop=2)
    run = trainer.prepare(_cfg(tiny_data, tmp_path / "out", init_from=str(src), val_fraction=0.5))
    w = run.net.font_head.weight.detach()  # (5, D): the dataset's order
    w_src = load_file(str(src / "model.safetensors"))["font_head.weight"]  # (4, D): reversed order
    for k, fid in enumerate(src_ids):
        assert torch.equal(w[run.labels.font_index(fid)], w_src[k])
    new = run.labels.fonts[2].family
    assert new not in src_ids
    # the imprinted row already ranks its own family's held-out glyphs above chance (1/5), before training
    val = run.val.take(torch.from_numpy(np.flatnonzero(run.val.font.numpy() == 2)))
    run.net.eval()
    with torch.no_grad():
        top1 = run.net(val.images, val.char).log_probs.argmax(1)
    assert (top1 == 2).float().mean() > 0.2


def test_init_from_refuses_a_dataset_missing_a_source_family(trained, tiny_data, tmp_path):
    from classifier.store import read_model_dir

    net, labels, config = read_model_dir(trained)
    bigger = replace(labels, fonts=(*labels.fonts, FontLabel("not-in-the-data", "Not In The Data")))
    wide = build_classifier("tiny", bigger.num_fonts, labels.num_chars)
    save_model_dir(tmp_path / "src", wide, bigger, {k: v for k, v in config.items() if k != "model_args"})
    with pytest.raises(trainer.TrainError, match="lacks 1 of the source model's families"):
        trainer.prepare(_cfg(tiny_data, tmp_path / "out", init_from=str(tmp_path / "src")))


def test_prototypes_are_stored_int8_and_keep_their_cosines(tmp_path):
    """The shipped float16 prototypes written again as int8 + scales: every cosine within 0.001, half the file."""
    from classifier.store import load_prototypes, save_prototypes

    shipped = Path(__file__).parents[1] / "models" / "default"
    p = load_prototypes(shipped)  # (F, C + 1, D)
    save_prototypes(tmp_path, p)
    q = load_prototypes(tmp_path)
    assert q.shape == p.shape and q.dtype == torch.float32
    assert torch.nn.functional.cosine_similarity(p, q, dim=-1).min() > 0.999
    assert (tmp_path / "prototypes.safetensors").stat().st_size < 0.55 * (shipped / "prototypes.safetensors").stat().st_size
