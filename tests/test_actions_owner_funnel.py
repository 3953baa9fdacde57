"""Tests of the activity plan of a company without reps: regions (or channels) own the funnel."""

from __future__ import annotations

import pandas as pd
import pytest

from planlib import actions as A
from planlib.errors import ParamsError

MONTHS = pd.date_range("2025-01-01", periods=2, freq="MS")


def long(rows) -> pd.DataFrame:
    return pd.DataFrame([{"dimension": d, "segment": s, "month": MONTHS[m], "target": t} for d, s, m, t in rows])


def orders(rows) -> pd.DataFrame:
    """Order lines of 2024 from (region, channel, revenue, n orders)."""
    out = []
    for region, channel, value, n in rows:
        for i in range(n):
            out.append({"order_date": pd.Timestamp("2024-06-01"), "order_id": f"{region}{channel}{i}",
                        "customer_id": "c", "revenue": value, "product_line": "P", "region": region,
                        "channel": channel})
    return pd.DataFrame(out)


def test_regions_own_the_funnel_with_their_own_deal_size_and_no_capacity_check():
    targets = long([("region", "N", 0, 1000), ("region", "N", 1, 0), ("region", "S", 0, 250), ("region", "S", 1, 500),
                    ("total", "Total", 0, 1250), ("total", "Total", 1, 500)])
    assert A.choose_funnel_owner(targets) == "region"
    out = A.plan_owner_funnel(targets, orders([("N", "d", 100, 10), ("S", "d", 50, 10)]), owner="region",
                              win_rate=0.5, proposal_per_visit=0.5, visits_per_lead=1, as_of="2024-12-31")
    n = out.set_index(["owner", "month"])
    # N: 1000 / 100 = 10 deals, 20 proposals, 40 visits, 40 leads; S in January: 250 / 50 = 5 deals
    assert n.loc[("N", MONTHS[0]), ["deals", "proposals", "visits", "leads"]].tolist() == [10, 20, 40, 40]
    assert n.loc[("S", MONTHS[0]), "deals"] == 5 and n.loc[("N", MONTHS[1]), "visits"] == 0
    assert set(out["owner_type"]) == {"region"} and set(out["deal_size_source"]) == {"owner"}
    assert "rep" not in out.columns and "capacity" not in out.columns
    assert "no rep is invented" in out.attrs["capacity"]
    text = A.summarize_owner_funnel(out)
    assert "owned by 2 region(s)" in text and "head count is unknown" in text


def test_channels_own_the_funnel_when_one_region_does_not_split_the_company():
    targets = long([("region", "All", 0, 600), ("channel", "web", 0, 100), ("channel", "shop", 0, 500)])
    assert A.choose_funnel_owner(targets) == "channel"
    out = A.plan_owner_funnel(targets, orders([("All", "web", 10, 20), ("All", "shop", 100, 20)]), owner="channel",
                              win_rate=1, proposal_per_visit=1, visits_per_lead=1, as_of="2024-12-31")
    assert out.set_index("owner")["deals"].to_dict() == {"shop": 5, "web": 10}
    assert A.choose_funnel_owner(long([("region", "All", 0, 600)])) == "region"
    assert A.choose_funnel_owner(long([("total", "Total", 0, 600)])) is None


def test_an_owner_without_enough_orders_falls_back_to_the_company_deal_size():
    targets = long([("region", "N", 0, 1000), ("region", "S", 0, 1000)])
    out = A.plan_owner_funnel(targets, orders([("N", "d", 100, 10), ("S", "d", 300, 2)]), owner="region",
                              as_of="2024-12-31", min_orders=10)
    assert out.set_index("owner")["deal_size_source"].to_dict() == {"N": "owner", "S": "company"}


def test_an_owner_other_than_region_or_channel_is_refused():
    with pytest.raises(ParamsError, match="'owner' parameter of plan_owner_funnel must be 'region' or 'channel'"):
        A.plan_owner_funnel(long([("region", "N", 0, 1)]), owner="rep")


@pytest.mark.parametrize("shape", ["no_rep", "empty_rep"])
def test_a_company_without_reps_packs_with_a_region_owned_funnel_annual_and_quarterly(tmp_path, shape):
    """The data zoo's rep-less exports through 04 and 05: regions own the funnel, no rep and no capacity invented."""
    import json
    import shutil
    import sys
    from pathlib import Path

    from planlib import demo, io
    from planlib.pack import run_pack

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tests"))
    import test_intake_zoo as zoo

    shutil.copytree(root / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    case = zoo._cases(demo.generate_demo_orders(3000, seed=11, start="2022-01-01", end="2025-12-31"))[shape]
    case["extra"] = {"actions": {"budget": 500_000}}
    zoo._build(tmp_path, case)
    annual = run_pack("params/zoo.yaml", root=tmp_path)
    quarter = run_pack("params/zoo.yaml", root=tmp_path, period="2025-Q2")
    funnel = io.read_artifact(annual, "funnel")
    assert set(funnel["owner_type"]) == {"region"} and "rep" not in funnel.columns
    regions = io.read_artifact(annual, "targets_long").query("dimension == 'region'")
    assert set(funnel["owner"]) == set(regions["segment"].astype(str))
    assert funnel["target"].sum() == pytest.approx(regions["target"].sum())
    for name in ("capacity", "visit_plan", "hiring_plan", "incentives"):
        assert not io.has_artifact(annual, name)
    text = "".join("".join(o.get("text", "")) for c in json.loads((annual / "04_action_plan.ipynb").read_text())["cells"]
                   for o in c.get("outputs", []))
    assert "the activity plan is owned by" in text and "head count is unknown" in text
    assert io.has_artifact(quarter, "checkpoint_status") and io.has_artifact(quarter, "respread")
