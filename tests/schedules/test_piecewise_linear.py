"""PiecewiseLinearSchedule and build_schedule: loss weights (and other knobs) over training."""

import pytest

from greenreg.registry import SCHEDULES
from greenreg.schedules import BaseSchedule, PiecewiseLinearSchedule, TrainProgress, build_schedule

WHERE = "model.loss_terms.kl.weight"


def at(iteration: int = 0, images_seen: int = 0) -> TrainProgress:
    return TrainProgress(iteration=iteration, images_seen=images_seen)


def test_builds_from_its_config_through_the_registry():
    cfg = dict(type="PiecewiseLinearSchedule", points=[(0, 0.0), (100, 0.1)])
    for schedule in (SCHEDULES.build(cfg), build_schedule(cfg, WHERE)):
        assert isinstance(schedule, PiecewiseLinearSchedule)
        assert schedule(at(50)) == pytest.approx(0.05)
    same = PiecewiseLinearSchedule([(0, 1.0)])
    assert build_schedule(same, WHERE) is same


def test_ramp_interpolates_and_holds_its_end_values():
    ramp = build_schedule([(0, 0.0), (100, 0.1)], WHERE)
    assert ramp(at(0)) == 0.0
    assert ramp(at(50)) == pytest.approx(0.05)
    assert ramp(at(1000)) == pytest.approx(0.1)
    late = build_schedule([(10, 0.2), (20, 0.4)], WHERE)
    assert late(at(0)) == pytest.approx(0.2)  # before the first point: its value


def test_window_switches_a_term_off_after_its_last_point():
    window = build_schedule([(0, 0.1), (10, 0.1), (11, 0.0)], "model.loss_terms.lpips.weight")
    assert window(at(10)) == pytest.approx(0.1)
    assert window(at(11)) == 0.0
    assert window(at(10**6)) == 0.0


@pytest.mark.parametrize("spec", [2, 2.0])
def test_a_number_is_a_constant(spec):
    constant = build_schedule(spec, "model.loss_terms.flow.weight")
    assert isinstance(constant, BaseSchedule)
    assert constant(at(12345, 10**6)) == 2.0


def test_kimg_points_follow_images_seen_not_iterations():
    schedule = PiecewiseLinearSchedule([(0, 0.0), (10, 1.0)], unit="kimg")
    assert schedule(at(iteration=0, images_seen=5000)) == pytest.approx(0.5)
    # the same images seen at another batch size: same value
    assert schedule(at(iteration=10**6, images_seen=5000)) == pytest.approx(0.5)
    assert schedule(at(iteration=5, images_seen=20_000)) == pytest.approx(1.0)
    built = build_schedule(
        dict(type="PiecewiseLinearSchedule", points=[(0, 0.0), (2, 0.2)], unit="kimg"), WHERE
    )
    assert built(at(iteration=1, images_seen=1500)) == pytest.approx(0.15)


def test_negative_values_only_when_allowed():
    with pytest.raises(ValueError, match=r"values must be >= 0"):
        build_schedule([(0, -1.0)], WHERE)
    with pytest.raises(ValueError, match=WHERE):
        build_schedule(-0.5, WHERE)
    signed = build_schedule([(0, -1.0), (10, 1.0)], WHERE, allow_negative=True)
    assert signed(at(5)) == pytest.approx(0.0)


@pytest.mark.parametrize(
    "spec, error, match",
    [
        ([(10, 0.0), (5, 1.0)], ValueError, "increase"),
        ([(0, 0.0), (0, 1.0)], ValueError, "increase"),
        ("0.1", TypeError, WHERE),
        (True, TypeError, WHERE),
        ([], TypeError, r"PiecewiseLinearSchedule.points \(model.loss_terms.kl.weight\)"),
        ([(0, 0.0, 1.0)], TypeError, r"\(position, value\) pairs"),
    ],
    ids=["decreasing", "repeated", "string", "bool", "empty", "triple"],
)
def test_bad_specs_name_the_config_key(spec, error, match):
    with pytest.raises(error, match=match):
        build_schedule(spec, WHERE)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match=r"unit.*'iter', 'kimg'.*'epoch'"):
        PiecewiseLinearSchedule([(0, 1.0)], unit="epoch", where=WHERE)


def test_train_progress_counts_kimg():
    assert TrainProgress(iteration=3, images_seen=2500).kimg == pytest.approx(2.5)
    assert TrainProgress() == TrainProgress(0, 0)
