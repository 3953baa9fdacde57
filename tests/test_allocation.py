"""Tests of planlib.allocation: exact splits, controlled rounding and IPF.

Hand-checkable cases first, then hypothesis properties: every rounded split adds up
exactly to its parent, cells and margins move less than one unit, IPF meets its margins.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planlib.allocation import (
    AllocationError,
    fit_to_margins,
    round_preserving_total,
    round_table_preserving_margins,
    split_total,
)
from planlib.errors import PlanlibError

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def long_table(array: np.ndarray) -> pd.DataFrame:
    """A dense numpy array as a long frame with columns d0, d1, ... and value."""
    index = pd.MultiIndex.from_product([range(s) for s in array.shape],
                                       names=[f"d{i}" for i in range(array.ndim)])
    frame = index.to_frame(index=False)
    frame["value"] = array.reshape(-1)
    return frame


# ----------------------------------------------------------------------------- 1-D


def test_largest_remainder_hand_example():
    # 10 split over 3 equal weights: 3.33 each, the spare unit goes to the first.
    assert split_total(10, [1, 1, 1]).tolist() == [4, 3, 3]
    # remainders .5/.5/.0 -> total 4: the tie goes to the earlier position.
    rounded = round_preserving_total(pd.Series([1.5, 1.5, 1.0], index=list("abc")))
    assert rounded.to_dict() == {"a": 2, "b": 1, "c": 1}
    # largest remainder wins: 0.3 / 0.6 / 0.1 of 10 units... of 1 unit each scaled
    assert split_total(7, [0.3, 0.6, 0.1]).tolist() == [2, 4, 1]  # 2.1, 4.2, 0.7


def test_round_preserving_total_keeps_index_and_dtype():
    values = pd.Series([10.4, 20.4, 30.2], index=["x", "y", "z"], name="target")
    out = round_preserving_total(values)
    assert out.dtype == "int64" and list(out.index) == ["x", "y", "z"] and out.name == "target"
    assert out.sum() == 61 and out.tolist() == [11, 20, 30]  # .4 = .4: earlier wins
    assert values.tolist() == [10.4, 20.4, 30.2]  # input untouched


def test_round_preserving_total_with_explicit_total_and_unit():
    assert round_preserving_total([1.2, 1.2, 1.6], total=4).tolist() == [1, 1, 2]
    assert split_total(1000, [1, 1, 1], unit=100).tolist() == [400, 300, 300]
    with pytest.raises(AllocationError, match="adjacent whole unit"):
        round_preserving_total([1.2, 1.2, 1.6], total=10)


def test_split_total_float_noise_does_not_leak():
    # 0.1 + 0.2 style noise: the split of 3 over [1, 1, 1] must be exactly [1, 1, 1].
    assert split_total(3, [0.1, 0.1, 0.1]).tolist() == [1, 1, 1]
    assert split_total(0, [1, 2]).tolist() == [0, 0]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: split_total(10, [1, -1]), "non-negative"),
        (lambda: split_total(10, [0, 0]), "positive sum"),
        (lambda: split_total(10, []), "positive sum"),
        (lambda: split_total(10.5, [1, 1]), "whole multiple"),
        (lambda: split_total(1000, [1, 1], unit=0), "positive integer"),
        (lambda: split_total(10, [1, float("nan")]), "finite"),
        (lambda: round_preserving_total([], total=5), "empty"),
    ],
)
def test_split_errors_are_planlib_errors(call, message):
    with pytest.raises(PlanlibError, match=message) as info:
        call()
    assert isinstance(info.value, ValueError)


@PROPERTY
@given(
    total=st.integers(min_value=-10_000, max_value=10_000_000),
    weights=st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=30),
)
def test_split_total_sums_exactly_and_is_adjacent_and_monotone(total, weights):
    if sum(weights) == 0:
        weights = [w + 1.0 for w in weights]
    parts = split_total(total, weights).to_numpy()
    assert parts.sum() == total
    exact = np.asarray(weights) / math.fsum(weights) * total
    assert np.all(np.abs(parts - exact) < 1 + 1e-6)
    magnitude = np.abs(parts)
    larger = np.abs(exact)[:, None] > np.abs(exact)[None, :] + 1e-6  # closer counts as a tie
    assert np.all(magnitude[:, None] >= magnitude[None, :], where=larger)


@PROPERTY
@given(values=st.lists(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), min_size=1, max_size=40))
def test_round_preserving_total_property(values):
    out = round_preserving_total(values).to_numpy()
    assert out.sum() == math.floor(math.fsum(values) + 0.5)
    assert np.all(np.abs(out - np.asarray(values)) < 1)


# ----------------------------------------------------------------------------- tables


def check_rounding(table: pd.DataFrame, out: pd.DataFrame, dims: list[str], margins=None) -> None:
    """Every 1-D marginal exact (given) or adjacent, grand total exact, cells adjacent."""
    assert out["value"].dtype == "int64"
    # the grand total is the table's sum rounded (ties may go either way: cells within
    # float noise of a whole number are snapped to it first)
    assert abs(out["value"].sum() - math.fsum(table["value"])) <= 0.5 + 1e-6 or margins
    for d in dims:
        got = out.groupby(d)["value"].sum()
        frac = table.groupby(d)["value"].sum()
        if margins and d in margins:
            assert (got == margins[d].reindex(got.index)).all()
        else:
            assert ((got - frac).abs() < 1 + 1e-6).all()
    if out.attrs["rounding"] != "relaxed":
        assert ((out["value"] - table["value"]).abs() < 1).all()
        whole = table["value"] == np.round(table["value"])
        assert (out.loc[whole, "value"] == table.loc[whole, "value"]).all()


def test_controlled_rounding_hand_example_2d():
    # rows 1.5 / 1.5, columns 1.0 / 2.0, total 3: every cell 0.5 or 1.0.
    table = pd.DataFrame({"r": ["a", "a", "b", "b"], "c": ["x", "y", "x", "y"],
                          "value": [0.5, 1.0, 0.5, 1.0]})
    out = round_table_preserving_margins(table, dims=["r", "c"])
    assert out.attrs["rounding"] == "controlled"
    assert out.groupby("c")["value"].sum().tolist() == [1, 2]
    assert out["value"].sum() == 3
    assert out.loc[out["c"] == "y", "value"].tolist() == [1, 1]  # whole cells stay put
    check_rounding(table, out, ["r", "c"])


def test_controlled_rounding_with_given_margins_and_row_order():
    table = pd.DataFrame({"r": ["b", "a", "b", "a"], "c": ["y", "y", "x", "x"],
                          "value": [10.4, 20.6, 30.3, 38.7]})
    margins = {"r": pd.Series({"a": 59, "b": 41}), "c": pd.Series({"x": 69, "y": 31})}
    out = round_table_preserving_margins(table, dims=["r", "c"], margins=margins)
    check_rounding(table, out, ["r", "c"], margins)
    assert list(out.index) == list(table.index)  # same rows, same order
    shuffled = table.sample(frac=1, random_state=3)
    again = round_table_preserving_margins(shuffled, dims=["r", "c"], margins=margins)
    assert again.sort_index().equals(out.sort_index())  # independent of row order


def test_controlled_rounding_unit_thousands():
    table = long_table(np.array([[1200.0, 2600.0], [3100.0, 4100.0]]))
    out = round_table_preserving_margins(table, dims=["d0", "d1"], unit=1000)
    assert (out["value"] % 1000 == 0).all() and out["value"].sum() == 11000


def test_zero_cells_block_a_margin():
    table = pd.DataFrame({"a": [0, 0, 1, 1], "b": [0, 1, 0, 1], "value": [0, 0.5, 0.5, 0]})
    impossible = {"a": pd.Series([1, 0]), "b": pd.Series([1, 0])}
    with pytest.raises(AllocationError, match="zero cells"):
        round_table_preserving_margins(table, dims=["a", "b"], margins=impossible)
    relaxed = round_table_preserving_margins(table, dims=["a", "b"], margins=impossible, keep_zeros=False)
    assert relaxed.attrs["rounding"] == "relaxed"
    assert relaxed["value"].tolist() == [1, 0, 0, 0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"dims": ["nope"]}, "lacks column"),
        ({"dims": ["d0", "d1"], "margins": {"d0": pd.Series([1.5, 1.5])}}, "whole multiples"),
        ({"dims": ["d0", "d1"], "margins": {"d0": pd.Series([1, 2]), "d1": pd.Series([1, 1])}},
         "one grand total"),
        ({"dims": ["d0", "d1"], "margins": {"zz": pd.Series([1])}}, "unknown dimension"),
        ({"dims": ["d0", "d1"], "margins": {"d0": pd.Series([3], index=[0])}}, "lacks level"),
    ],
)
def test_rounding_errors(kwargs, message):
    table = long_table(np.array([[1.0, 0.5], [0.5, 1.0]]))
    with pytest.raises(AllocationError, match=message):
        round_table_preserving_margins(table, **kwargs)


def test_duplicate_and_empty_tables_are_refused():
    table = pd.DataFrame({"a": ["x", "x"], "value": [1.0, 2.0]})
    with pytest.raises(AllocationError, match="duplicate"):
        round_table_preserving_margins(table, dims=["a"])
    with pytest.raises(AllocationError, match="empty"):
        round_table_preserving_margins(table.iloc[:0], dims=["a"])


cells = st.one_of(st.just(0.0), st.floats(min_value=0, max_value=5000, allow_nan=False),
                  st.integers(min_value=0, max_value=50).map(float))


@st.composite
def arrays(draw, ndim: int):
    shape = tuple(draw(st.integers(min_value=1, max_value=5)) for _ in range(ndim))
    flat = draw(st.lists(cells, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    return np.array(flat).reshape(shape)


@PROPERTY
@given(array=arrays(2))
def test_property_2d_controlled_rounding(array):
    table = long_table(array)
    out = round_table_preserving_margins(table, dims=["d0", "d1"])
    assert out.attrs["rounding"] == "controlled"  # 2-D always has a controlled rounding
    check_rounding(table, out, ["d0", "d1"])


@PROPERTY
@given(array=arrays(3))
def test_property_3d_controlled_rounding(array):
    table = long_table(array)
    dims = ["d0", "d1", "d2"]
    out = round_table_preserving_margins(table, dims=dims)
    check_rounding(table, out, dims)
    if out.attrs["rounding"] == "controlled":  # the leading 2-D marginal within one unit
        lead = out.groupby(["d0", "d1"])["value"].sum() - table.groupby(["d0", "d1"])["value"].sum()
        assert (lead.abs() < 1 + 1e-6).all()


@PROPERTY
@given(array=arrays(3), seed=st.integers(0, 2**16))
def test_property_3d_rounding_to_given_margins(array, seed):
    # Margins are largest-remainder roundings of the table's own marginals (as the
    # planning pipeline produces them), one grand total.
    array = array + 0.25  # no structural zeros, which could make given margins unreachable
    table = long_table(array)
    dims = ["d0", "d1", "d2"]
    grand = math.floor(math.fsum(table["value"]) + 0.5)
    margins = {d: round_preserving_total(table.groupby(d)["value"].sum(), total=grand) for d in dims}
    out = round_table_preserving_margins(table.sample(frac=1, random_state=seed), dims=dims,
                                         margins=margins)
    assert out["value"].sum() == grand
    check_rounding(table.loc[out.index], out, dims, margins)


def test_deterministic_bytes():
    rng = np.random.default_rng(5)
    table = long_table(rng.gamma(1.0, 1000.0, size=(6, 4, 12)))
    first = round_table_preserving_margins(table, dims=["d0", "d1", "d2"]).to_csv(index=False)
    second = round_table_preserving_margins(table.copy(), dims=["d0", "d1", "d2"]).to_csv(index=False)
    assert first == second


def test_one_dimension_through_the_table_routine_is_largest_remainder():
    values = [0.3, 2.7, 1.5, 1.5, 4.0]
    table = pd.DataFrame({"k": list("abcde"), "value": values})
    out = round_table_preserving_margins(table, dims=["k"])
    assert out["value"].tolist() == round_preserving_total(values).tolist()


# ----------------------------------------------------------------------------- IPF


def test_ipf_hand_example():
    # Seed independence 1:1, margins rows 30/70 cols 40/60 -> cells = outer product / 100.
    seed = long_table(np.ones((2, 2)))
    fitted = fit_to_margins(seed, dims=["d0", "d1"],
                            margins={"d0": pd.Series([30.0, 70.0]), "d1": pd.Series([40.0, 60.0])})
    assert np.allclose(fitted["value"], [12, 18, 28, 42])
    assert seed["value"].tolist() == [1, 1, 1, 1]  # seed untouched


def test_ipf_keeps_structural_zeros_and_refuses_empty_levels():
    seed = long_table(np.array([[1.0, 0.0], [1.0, 1.0]]))
    fitted = fit_to_margins(seed, dims=["d0", "d1"],
                            margins={"d0": pd.Series([5.0, 5.0]), "d1": pd.Series([6.0, 4.0])})
    assert fitted["value"].iloc[1] == 0
    assert np.allclose(fitted.groupby("d0")["value"].sum(), [5, 5])
    empty = long_table(np.array([[0.0, 0.0], [1.0, 1.0]]))
    with pytest.raises(AllocationError, match="no positive cell"):
        fit_to_margins(empty, dims=["d0", "d1"],
                       margins={"d0": pd.Series([5.0, 5.0]), "d1": pd.Series([6.0, 4.0])})
    with pytest.raises(AllocationError, match="one grand total"):
        fit_to_margins(seed, dims=["d0", "d1"],
                       margins={"d0": pd.Series([5.0, 5.0]), "d1": pd.Series([6.0, 5.0])})


def test_ipf_unreachable_margins_raise():
    # Row 0 can only feed column 0, which needs 1 but row 0 must place 5.
    seed = long_table(np.array([[1.0, 0.0], [1.0, 1.0]]))
    with pytest.raises(AllocationError, match="did not converge"):
        fit_to_margins(seed, dims=["d0", "d1"], max_iter=200,
                       margins={"d0": pd.Series([5.0, 5.0]), "d1": pd.Series([1.0, 9.0])})


@PROPERTY
@given(array=arrays(3), data=st.data())
def test_property_ipf_matches_margins(array, data):
    array = array + 0.5  # positive seed: every set of consistent margins is reachable
    seed = long_table(array)
    dims = ["d0", "d1", "d2"]
    total = data.draw(st.floats(min_value=1, max_value=1e7))
    margins = {}
    for axis, d in enumerate(dims):
        w = np.array(data.draw(st.lists(st.floats(min_value=0.01, max_value=1.0),
                                        min_size=array.shape[axis], max_size=array.shape[axis])))
        margins[d] = pd.Series(total * w / w.sum())
    fitted = fit_to_margins(seed, dims=dims, margins=margins)
    for d in dims:
        assert np.allclose(fitted.groupby(d)["value"].sum(), margins[d], rtol=1e-8, atol=1e-6)
    assert (fitted["value"] >= 0).all()
