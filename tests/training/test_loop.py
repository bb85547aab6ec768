"""The shared training loop: schedule, determinism, resume, scene-disjointness."""

from __future__ import annotations

import math

import pytest
import torch

from spatialmosaic.io import ArtefactError
from spatialmosaic.models.settings import Schedule
from spatialmosaic.training import loop


def test_warmup_then_cosine_to_zero():
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=1.0)
    scheduler = loop.cosine_with_warmup(optimizer, total_steps=10, warmup_fraction=0.2)
    rates = []
    for _ in range(10):
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    assert rates[:2] == [0.5, 1.0]  # two warm-up steps
    assert rates[2] == pytest.approx(1.0)
    assert rates[6] == pytest.approx(0.5 * (1 + math.cos(math.pi * 4 / 8)))
    assert scheduler.get_last_lr()[0] == pytest.approx(0.0)


def test_batches_cover_each_epoch_once_and_drop_the_remainder():
    schedule = Schedule(epochs=2, batch_size=3)
    first_epoch = [i for step in range(3) for i in loop.batch_indices(step, 10, schedule, 0)]
    assert len(first_epoch) == 9 and len(set(first_epoch)) == 9
    assert loop.batch_indices(3, 10, schedule, 0) != loop.batch_indices(0, 10, schedule, 0)
    assert schedule.total_steps(10) == 6


class _Regression:
    """A linear model fitted to y = 3x; the loss function can be told to fail at a step."""

    def __init__(self, seed: int = 0, fail_at: int | None = None) -> None:
        torch.manual_seed(seed)
        self.model = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(1, 1))
        self.x = torch.linspace(-1, 1, 40)[:, None]
        self.calls = 0
        self.fail_at = fail_at

    def loss(self, indices: list[int]) -> tuple[torch.Tensor, dict[str, float]]:
        self.calls += 1
        if self.calls == self.fail_at:
            raise KeyboardInterrupt  # as if the job were killed here
        x = self.x[indices]
        error = self.model(x) - 3 * x
        return (error**2).mean(), {"abs": float(error.abs().mean())}


SCHEDULE = Schedule(epochs=3, batch_size=4, lr=0.05, save_every=7)


def _weights(model: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def test_same_seed_gives_identical_weights_and_the_model_learns(tmp_path):
    runs = []
    for name in ("a", "b"):
        task = _Regression()
        curve = loop.train(task.model, 40, task.loss, SCHEDULE, 0, tmp_path / name, "fp", "t")
        runs.append((_weights(task.model), curve))
    assert all(torch.equal(a, b) for a, b in zip(runs[0][0], runs[1][0], strict=True))
    assert runs[0][1] == runs[1][1]
    assert len(runs[0][1]) == 30 and runs[0][1][-1]["loss"] < runs[0][1][0]["loss"]
    assert set(runs[0][1][0]) == {"step", "epoch", "loss", "abs", "lr"}


def test_a_resumed_run_ends_identical_to_an_uninterrupted_one(tmp_path):
    whole = _Regression()
    loop.train(whole.model, 40, whole.loss, SCHEDULE, 0, tmp_path / "whole", "fp", "t")

    killed = _Regression(fail_at=17)  # after the resume states of steps 7 and 14
    with pytest.raises(KeyboardInterrupt):
        loop.train(killed.model, 40, killed.loss, SCHEDULE, 0, tmp_path / "run", "fp", "t")
    assert (tmp_path / "run" / loop.RESUME_FILE).is_file()
    resumed = _Regression(seed=1)  # other initial weights: the resume state must replace them
    curve = loop.train(resumed.model, 40, resumed.loss, SCHEDULE, 0, tmp_path / "run", "fp", "t")
    assert resumed.calls == 30 - 14
    assert len(curve) == 30
    assert all(
        torch.equal(a, b)
        for a, b in zip(_weights(whole.model), _weights(resumed.model), strict=True)
    )
    assert not (tmp_path / "run").exists()  # removed once the run completes


def test_a_resume_state_of_other_settings_is_ignored(tmp_path, capsys):
    killed = _Regression(fail_at=9)
    with pytest.raises(KeyboardInterrupt):
        loop.train(killed.model, 40, killed.loss, SCHEDULE, 0, tmp_path / "run", "old", "t")
    fresh = _Regression()
    loop.train(fresh.model, 40, fresh.loss, SCHEDULE, 0, tmp_path / "run", "new", "t")
    assert fresh.calls == 30
    assert "saved for other inputs or settings" in capsys.readouterr().out


def test_training_on_benchmark_scenes_is_refused(tmp_path):
    with pytest.raises(ArtefactError, match="1 training scene.*ours_indoor_0003"):
        loop.check_scene_disjoint(
            ["ours_indoor_0001", "ours_indoor_0003"], ["ours_indoor_0003"], tmp_path / "t.json"
        )
    loop.check_scene_disjoint(["a"], ["b"], tmp_path / "t.json")


def test_write_curve_refuses_an_empty_curve(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        loop.write_curve(tmp_path / "c.csv", [])
