"""The ``actions`` section of a params file: funnel rates, capacity, service levels, budget, calendar."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import Field, model_validator

from planlib.i18n import _
from planlib.params_section import WEIGHT_TOLERANCE, Section


class ActionsSpec(Section):
    """Funnel defaults and the budget of the action plan (used by notebook 04)."""

    class Promotion(Section):
        """A promotion at a key date: ``anchor`` is ``cny`` or ``MM-DD``; offsets in days."""

        name: str
        anchor: str
        start_offset: int = Field(0, ge=-120, le=120)
        end_offset: int = Field(0, ge=-120, le=120)
        channel: str | None = None
        owner: str | None = None
        budget_share: float = Field(0.0, ge=0, le=1)
        kpi: str = ""
        awareness: bool = False  # a brand/awareness action: kept in the plan even with no measured revenue effect

        @model_validator(mode="after")
        def _window_valid(self) -> "ActionsSpec.Promotion":
            anchor = self.anchor.strip().lower()
            if anchor != "cny":
                try:
                    dt.datetime.strptime(f"2000-{anchor}", "%Y-%m-%d")
                except ValueError:
                    raise ValueError(
                        _("actions.promotions.anchor must be 'cny' or a day as MM-DD; got {value}").format(value=repr(self.anchor))
                    ) from None
            if self.start_offset > self.end_offset:
                raise ValueError(
                    _("actions.promotions.start_offset must not be after end_offset; got {start} and {end} ({name})").format(
                        start=self.start_offset, end=self.end_offset, name=self.name)
                )
            return self

    class Event(Section):
        """A trade show or content campaign; its effect is worked out from ``leads``."""

        name: str
        start: dt.date
        end: dt.date
        owner: str = "marketing"
        budget: float = Field(0.0, ge=0)
        leads: int = Field(0, ge=0)
        kpi: str = ""
        awareness: bool = False  # a brand/awareness action: kept in the plan even with no expected leads

        @model_validator(mode="after")
        def _dates_in_order(self) -> "ActionsSpec.Event":
            if self.start > self.end:
                raise ValueError(
                    _("actions.events.start must not be after end; got {start} and {end} ({name})").format(
                        start=self.start, end=self.end, name=self.name)
                )
            return self

    class Incentives(Section):
        """The payout curve of the sales incentive, as a share of the on-target bonus, by attainment."""

        threshold: float = Field(0.8, ge=0, le=1)  # below this attainment nothing is paid
        threshold_payout: float = Field(0.5, ge=0, le=1)  # share paid at the threshold, rising linearly to 1 at 100%
        accelerator: float = Field(2.0, ge=0, le=10)  # extra share per unit of attainment above 100%
        cap: float = Field(2.0, ge=1, le=10)  # the most a rep can earn, as a share of the on-target bonus
        on_target_bonus: float = Field(0.0, ge=0)  # bonus per rep at 100% attainment; 0 = not given (shares only)

    class ServiceLevel(Section):
        """How an ABC class of customers is served."""

        visits_per_month: float = Field(ge=0, le=31)
        owner: str

    class Review(Section):
        """One meeting of the review cadence."""

        cadence: Literal["weekly", "monthly", "quarterly"]
        who: str
        what: str
        metric: str

    win_rate: float = Field(0.25, gt=0, le=1)
    proposal_per_visit: float = Field(0.30, gt=0, le=1)
    visits_per_lead: float = Field(1.5, gt=0, le=20)
    max_visits_per_rep_month: int = Field(60, ge=1, le=1000)
    rep_cost_per_year: float = Field(0.0, ge=0)  # cost of one more rep (salary and on-costs); 0 = not given
    budget: float = Field(0.0, ge=0)
    deal_size: float | None = Field(None, gt=0)
    min_orders_for_deal_size: int = Field(10, ge=1, le=10_000)
    neighbour_days: int = Field(14, ge=1, le=60)
    # the market's calendar: "cn_retail" (Spring Festival, 618, Double 11, year-end push) gives the default
    # promotions and tells the forecast that the Spring Festival moves between January and February;
    # "none" (the default) plans no promotion. An explicit `promotions` list replaces the calendar's.
    calendar: Literal["none", "cn_retail"] = "none"
    promotions: tuple[Promotion, ...] = ()
    events: tuple[Event, ...] = ()
    launch_budget_share: float = Field(0.15, ge=0, le=1)
    incentives: Incentives = Field(default_factory=lambda: ActionsSpec.Incentives())
    new_customer_budget_share: float = Field(0.15, ge=0, le=1)
    service_levels: dict[Literal["A", "B", "C"], ServiceLevel] = Field(
        default_factory=lambda: {
            "A": ActionsSpec.ServiceLevel(visits_per_month=4, owner="key account manager"),
            "B": ActionsSpec.ServiceLevel(visits_per_month=2, owner="rep"),
            "C": ActionsSpec.ServiceLevel(visits_per_month=0, owner="inside sales / e-commerce"),
        }
    )
    repurchase_uplift: float = Field(0.05, ge=0, le=1)
    cross_sell_uplift: float = Field(0.05, ge=0, le=1)
    channel_support: dict[str, str] = Field(
        default_factory=lambda: {
            "direct": "key account team and field visits",
            "distributor": "stocking rebates and co-op marketing",
            "e-commerce": "platform campaigns and paid traffic",
            "partner": "partner enablement and joint visits",
        }
    )
    review_cadence: tuple[Review, ...] = (
        Review(cadence="weekly", who="rep with regional manager",
               what="pipeline review: leads, visits, proposals and deals of the week",
               metric="visits and proposals vs the funnel plan (actions_funnel)"),
        Review(cadence="monthly", who="regional and channel managers with the sales director",
               what="month close: attainment, A-customer coverage, actions due",
               metric="cumulative revenue vs cumulative_target (actions_checkpoints)"),
        Review(cadence="quarterly", who="sales director, finance and product managers",
               what="quarter review: re-forecast, re-spread of the remaining target, budget",
               metric="quarter attainment, re-forecast gap, budget spent vs split"),
    )

    @model_validator(mode="before")
    @classmethod
    def _calendar_promotions(cls, data: Any) -> Any:
        """Without its own ``promotions`` list, a plan takes its calendar's (none for ``calendar: none``)."""
        if isinstance(data, dict) and "promotions" not in data and data.get("calendar") == "cn_retail":
            return {**data, "promotions": CN_RETAIL_PROMOTIONS}
        return data

    @model_validator(mode="after")
    def _budget_shares_fit(self) -> "ActionsSpec":
        shares = [p.budget_share for p in self.promotions]
        total = math.fsum([*shares, self.launch_budget_share, self.new_customer_budget_share])
        if total > 1 + WEIGHT_TOLERANCE:
            raise ValueError(
                _("actions budget shares (promotions, launch_budget_share, new_customer_budget_share) "
                  "must not sum to more than 1; got {total}").format(total=f"{total:g}")
            )
        return self


# The Chinese retail calendar's promotions (``actions.calendar: cn_retail``).
CN_RETAIL_PROMOTIONS: tuple[ActionsSpec.Promotion, ...] = (
    ActionsSpec.Promotion(name="Spring Festival stocking push", anchor="cny", start_offset=-35, end_offset=-15,
                          budget_share=0.10, kpi="revenue in the window vs its neighbouring weeks"),
    ActionsSpec.Promotion(name="618 mid-year festival", anchor="06-18", start_offset=-17, end_offset=0,
                          channel="e-commerce", budget_share=0.10, kpi="e-commerce revenue in the window"),
    ActionsSpec.Promotion(name="Double 11 festival", anchor="11-11", start_offset=-10, end_offset=0,
                          channel="e-commerce", budget_share=0.15, kpi="e-commerce revenue in the window"),
    ActionsSpec.Promotion(name="Year-end push", anchor="12-01", start_offset=0, end_offset=30,
                          budget_share=0.10, kpi="December revenue and year attainment"),
)
