"""The criteria file, format 1, as frozen pydantic models.

The models describe the shape of a file; `checks.py` adds the rules that tie its parts together
(unique codes, children adding up to the parent, labels that exist). `load.py` runs both, so a
`Criteria` obtained through `load_criteria` is always whole and consistent.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Number = Annotated[float, Field(allow_inf_nan=False)]
Policy = Literal["error", "zero", "full", "exclude"]
Direction = Literal["higher", "lower"]
Scope = Literal["group", "all"]


def _number_to_text(value: object) -> object:
    # `version: 2026.10` written without quotes is still the council's label "2026.10": the
    # loaders keep the text of a number as it was written (YAML: the scalar itself; JSON and
    # TOML: a float that carries its `text`).
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return getattr(value, "text", None) or str(value)
    return value


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class IndicatorRef(Model):
    """A per-unit value read from a data column, e.g. the target assigned to each unit."""

    indicator: str


Target = Number | IndicatorRef


# --- rules (leaves) ------------------------------------------------------------------------------
# `indicator` is optional on the models so that the same rule can stand under `formula.then`,
# where the formula supplies the value; checks.py requires it everywhere else.


class Boolean(Model):
    type: Literal["boolean"]
    indicator: str | None = None
    invert: bool = False


class Linear(Model):
    type: Literal["linear"]
    indicator: str | None = None
    zero_at: Number
    full_at: Number
    transform: Literal["log"] | None = None


class Ratio(Model):
    type: Literal["ratio"]
    indicator: str | None = None
    target: Target


class Shortfall(Model):
    type: Literal["shortfall"]
    indicator: str | None = None
    target: Target
    per_unit: Number
    direction: Direction = "higher"


class Band(Model):
    """One band of a `bands` rule: matches when value >= min and/or value <= max."""

    min: Number | None = None
    max: Number | None = None
    points: Number


class Bands(Model):
    type: Literal["bands"]
    indicator: str | None = None
    bands: list[Band]


class PerCount(Model):
    type: Literal["per_count"]
    indicator: str | None = None
    each: Number


class Relative(Model):
    type: Literal["relative"]
    indicator: str | None = None
    direction: Direction = "higher"
    scope: Scope = "group"


class MinMax(Model):
    type: Literal["minmax"]
    indicator: str | None = None
    direction: Direction = "higher"
    scope: Scope = "all"


class TargetLeader(Model):
    type: Literal["target_leader"]
    indicator: str | None = None
    target: Target
    base_share: Number = 0.5
    scope: Scope = "group"


class Manual(Model):
    type: Literal["manual"]
    indicator: str | None = None


# --- COINr's normalisations (an addition; docs/criteria-format.md, "Normalisations") ---------
# Each scores a unit against the others of its scope, like relative and minmax.


class ZScore(Model):
    """(v − mean)/sd over the scope, clipped at ±`clip` standard deviations and scaled to
    [0, max_points]: the mean gets half."""

    type: Literal["zscore"]
    indicator: str | None = None
    direction: Direction = "higher"
    scope: Scope = "group"
    clip: Number = 2.0


class RankRule(Model):
    """max_points × rank / n (rank 1 the worst, n the best, ties at the lower rank)."""

    type: Literal["rank"]
    indicator: str | None = None
    direction: Direction = "higher"
    scope: Scope = "group"


class PercentileRank(Model):
    """max_points × (rank − 1)/(n − 1)."""

    type: Literal["percentile_rank"]
    indicator: str | None = None
    direction: Direction = "higher"
    scope: Scope = "group"


class Borda(Model):
    """`each` points for every unit of the scope ranked below (rank − 1), at most max_points;
    without `each`, max_points / (n − 1)."""

    type: Literal["borda"]
    indicator: str | None = None
    direction: Direction = "higher"
    scope: Scope = "group"
    each: Number | None = None


class DistanceToTarget(Model):
    """max_points × (v − min)/(target − min) over the scope (lower: (max − v)/(max − target)),
    at or beyond the target max_points."""

    type: Literal["distance_to_target"]
    indicator: str | None = None
    target: Number
    direction: Direction = "higher"
    scope: Scope = "group"


class DistanceToBest(Model):
    """max_points × (1 − (best − v)/(max − min)) over the scope."""

    type: Literal["distance_to_best"]
    indicator: str | None = None
    direction: Direction = "higher"
    scope: Scope = "group"


class FractionOfMax(Model):
    """max_points × v / max over the scope (lower: min / v)."""

    type: Literal["fraction_of_max"]
    indicator: str | None = None
    direction: Direction = "higher"
    scope: Scope = "group"


NORMALISATIONS = (ZScore, RankRule, PercentileRank, Borda, DistanceToTarget, DistanceToBest,
                  FractionOfMax)


ValueRule = Annotated[
    Boolean | Linear | Ratio | Shortfall | Bands | PerCount | Relative | MinMax | TargetLeader
    | Manual
    | ZScore | RankRule | PercentileRank | Borda | DistanceToTarget | DistanceToBest | FractionOfMax,
    Field(discriminator="type"),
]


class Formula(Model):
    """`expr` computes the value from indicators; `then` turns it into points."""

    type: Literal["formula"]
    expr: str
    then: ValueRule


Rule = Annotated[
    Boolean | Linear | Ratio | Shortfall | Bands | PerCount | Relative | MinMax | TargetLeader
    | Manual | Formula
    | ZScore | RankRule | PercentileRank | Borda | DistanceToTarget | DistanceToBest | FractionOfMax,
    Field(discriminator="type"),
]

RULE_TYPES: tuple[str, ...] = ("boolean", "linear", "ratio", "shortfall", "bands", "per_count", "relative", "minmax",
              "target_leader", "manual", "formula")
RULE_TYPES += ("zscore", "rank", "percentile_rank", "borda", "distance_to_target",
               "distance_to_best", "fraction_of_max")  # COINr's normalisations (an addition)


# --- the tree ------------------------------------------------------------------------------------


class Node(Model):
    """A criterion: a group with `children`, or a leaf with a `rule`."""

    code: str
    name: str
    max_points: Number
    weight: Number = 1.0
    aggregate: Literal["sum", "weighted_mean", "geometric_mean"] | None = None
    children: list[Node] | None = None
    rule: Rule | None = None
    missing: Policy | None = None
    note: str | None = None

    @property
    def is_leaf(self) -> bool:
        return self.rule is not None

    @property
    def how(self) -> str:
        return self.aggregate or "sum"


class Extra(Model):
    """`bonus` or `penalty`: criteria whose points are added or subtracted, capped at max_points."""

    max_points: Number
    criteria: list[Node]


class Units(Model):
    id: str
    name: str
    group: str | None = None
    groups: list[str] | None = None  # addition: the clusters that exist
    skip: list[str] = []  # addition: id or name cells of rows that are no units (a total row)


class Cap(Model):
    cap: str


class Knockout(Model):
    code: str
    name: str
    when: str
    effect: Literal["ineligible"] | Cap = "ineligible"


class ClassBand(Model):
    label: str
    min: Number


class TieBreak(Model):
    criterion: str | None = None
    indicator: str | None = None
    order: Literal["desc", "asc"] = "desc"


class Ranking(Model):
    method: Literal["competition", "dense", "ordinal"] = "competition"
    tie_break: list[TieBreak] = []


class ByClassification(Model):
    classification: str


class ByAward(Model):
    award: str


QuotaBase = Literal["units", "eligible"] | ByClassification | ByAward


class Quota(Model):
    count: int | None = None
    percent: Number | None = None
    rounding: Literal["floor", "round", "ceil"] = "floor"
    min: int = 0
    of: QuotaBase = "units"


class HistoryCondition(Model):
    """One condition on earlier years (../shared/spec/council-path.md §5): a `title` (an award
    or title code) or a `classification` label, held in every one of `streak` consecutive
    years, or in at least `count` of `within` years, the window ending in `year` (or in
    `year − 1`: `through: previous`)."""

    title: str | None = None
    classification: str | None = None
    streak: int | None = None
    count: int | None = None
    within: int | None = None
    through: Literal["year", "previous"] = "year"
    name: str | None = None  # how the reasons call it ("HTXSNV"); default: the title or label


class AnyOf(Model):
    """`{any: [condition, …]}`: holds when one of its conditions holds."""

    any: list[HistoryCondition]


HistoryItem = HistoryCondition | AnyOf


class History(Model):
    """`history:`: the columns of the history file (--history FILE), one title a row."""

    id: str
    year: str
    title: str
class MembersCondition(Model):
    """One condition of `eligible.members` (an addition, council-path §6): on the members' award,
    classification (one label or any of several) or knockout, at least `share` percent of the
    collective's members, at least `count` of them, or at most `count_max`."""

    award: str | None = None
    classification: str | list[str] | None = None
    knockout: str | None = None
    share: Annotated[Number, Field(ge=0, le=100)] | None = None
    count: Annotated[int, Field(ge=0)] | None = None
    count_max: Annotated[int, Field(ge=0)] | None = None
    name: str | None = None  # how the reasons call it ("LĐTT", "kỷ luật từ cảnh cáo"); default: the code

    @property
    def kind(self) -> str:
        return "award" if self.award is not None else (
            "knockout" if self.knockout is not None else "classification")

    @property
    def codes(self) -> list[str]:
        """The codes (or labels) a member must hold one of."""
        value = self.award or self.knockout or self.classification or []
        return [value] if isinstance(value, str) else list(value)

    @property
    def test(self) -> str:
        return "share" if self.share is not None else ("count" if self.count is not None else "count_max")


class Members(Model):
    """`members:` (an addition): the column of the members' result naming their collective."""

    of: str = "group"


class Eligibility(Model):
    min_total: Number | None = None
    classification: list[str] | None = None
    no_knockout: bool = False
    max_rank: int | None = None
    when: str | None = None
    awards: list[str] | None = None  # addition: already on the list of each of these earlier awards
    history: list[HistoryItem] | None = None  # addition (council-path §5): every item must hold
    members: list[MembersCondition] | None = None  # addition: conditions on the collective's members


class Ballot(Model):
    """`ballot:` of an award: its candidates pass with yes votes ≥ min_share % of council.members."""

    min_share: Number


class Council(Model):
    """`council:`: every member of the council, present or voting in writing."""

    members: int


class Money(Model):
    """`money:`: the base (mức lương cơ sở, đồng) and the multiple an amount is rounded up to."""

    base: Number
    round_up_to: Number = 1


class Award(Model):
    code: str
    name: str
    per: Literal["group", "all"] | None = None
    quota: Quota
    eligible: Eligibility = Eligibility()
    exclusive: bool = False
    on_tie_at_quota: Literal["include", "exclude", "flag"] = "flag"
    # additions (docs/criteria-format.md, "Ballots and money"): the council's vote on the shortlist, the amount
    ballot: Ballot | None = None
    coefficient: Number | None = None  # × money.base, rounded up to money.round_up_to


class Signer(Model):
    """One signature place under a printed document: the title above, the name below (blank: to
    sign by hand)."""

    title: str
    name: str | None = None


SIGNERS = (Signer(title="Người lập biểu"), Signer(title="TM. Hội đồng — Chủ tịch"))


class Report(Model):
    """`report:` (an addition): what the documents a council prints and signs carry beside the
    result. Every field is optional; a file without it prints the title block from `name` and
    `version`, a place-and-date line with blanks to fill by hand, and SIGNERS."""

    council: str | None = None  # "Hội đồng Thi đua – Khen thưởng huyện …"
    period: str | None = None  # "Năm 2026"
    place: str | None = None  # "Đồng Hới" → "Đồng Hới, ngày … tháng … năm …"
    date: str | None = None  # "ngày 15 tháng 12 năm 2026"; without it the date is left blank
    signers: list[Signer] = list(SIGNERS)


StageName = Literal["self", "verified", "approved"]
STAGE_ORDER: tuple[StageName, ...] = ("self", "verified", "approved")


class Stage(Model):
    """One review stage of `stages:` (an addition, docs/criteria-format.md): tự chấm (self),
    thẩm định (verified), phê duyệt (approved), in that order. A later stage's file changes the
    values of the stages before it: `may` says whether it may raise and lower them (change) or
    only lower them (lower); `reason: required` demands a reason on every row that changes a
    value. The reason and "by whom" are one pair of columns per row of the stage's file."""

    stage: StageName
    may: Literal["change", "lower"] | None = None  # a later stage: default change
    reason: Literal["required", "optional"] | None = None  # a later stage: default required
    reason_column: str | None = None  # a later stage: default ly_do
    by_column: str | None = None  # a later stage: default nguoi_dieu_chinh
# --- treatment: opt-in imputation and winsorisation (an addition; docs/criteria-format.md,
# "Treatment") -----------------------------------------------------------------------------------


class Impute(Model):
    """Fill a missing value of `indicator` with the mean or median of the units of its scope."""

    indicator: str
    by: Literal["mean", "median"]
    scope: Scope = "group"


class Winsorise(Model):
    """Bring outliers of `indicator` in: to declared quantiles (`low`, `high`, within 0..1), or by
    COINr's skew/kurtosis rule (method: skew_kurtosis)."""

    indicator: str
    method: Literal["quantiles", "skew_kurtosis"] = "quantiles"
    low: Number | None = None
    high: Number | None = None
    skew: Number = 2.0
    kurtosis: Number = 3.5
    winmax: int = 5
    scope: Scope = "all"


class Treatment(Model):
    impute: list[Impute] = []
    winsorise: list[Winsorise] = []


class Criteria(Model):
    """A whole criteria file."""

    format: Literal[1]
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: str
    version: Annotated[str, BeforeValidator(_number_to_text)]
    total: Number
    precision: int | None = 2
    round_at: Literal["leaves", "total"] = "leaves"
    units: Units
    missing: Policy = "error"
    criteria: list[Node]
    bonus: Extra | None = None
    penalty: Extra | None = None
    knockouts: list[Knockout] = []
    classification: list[ClassBand] = []
    ranking: Ranking = Ranking()
    awards: list[Award] = []
    # additions to format 1 (documented in docs/criteria-format-additions.md)
    basis: str | None = None
    note: str | None = None
    columns: dict[str, str] = {}  # addition: a name this file uses → its header in the data file
    report: Report | None = None
    # council-path §5: the year scored, and the history file's columns
    year: int | None = None
    history: History | None = None
    members: Members | None = None  # addition: collectives judged on their members (--members)
    stages: list[Stage] | None = None  # addition: review stages (thidua/core/stages.py)
    council: Council | None = None  # addition (docs/criteria-format.md, "Ballots and money"): who votes on ballots
    money: Money | None = None  # addition (council-path.md §8): the award amounts
    treatment: Treatment | None = None  # addition: opt-in imputation and winsorisation

    @property
    def printed(self) -> Report:
        """The `report:` section, or its defaults when the file has none."""
        return self.report or Report()

    def award_scope(self, award: Award) -> Literal["group", "all"]:
        if award.per is not None:
            return award.per
        return "group" if self.units.group else "all"
