"""Hypothesis strategies: random criteria documents and the data they read.

Indicators are x0..x4 (numbers from 0 to 200) and f0 (yes/no). Rules come from three families:
every rule type, rules that do not depend on other units (absolute), and rules whose points
never fall when their indicator rises (monotone).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

NUMBERS = ["x0", "x1", "x2", "x3", "x4"]
GROUPS = ["Cụm 1", "Cụm 2", "Cụm 3"]


def _rule(kind: str, indicator: str, top: float) -> st.SearchStrategy[dict[str, Any]]:
    ind = {"indicator": indicator}
    if kind == "boolean":
        return st.just({"type": "boolean", "indicator": "f0"})
    if kind == "linear":
        return st.tuples(st.integers(0, 100), st.integers(101, 200)).map(
            lambda t: {"type": "linear", **ind, "zero_at": t[0], "full_at": t[1]})
    if kind == "ratio":
        return st.integers(1, 200).map(lambda t: {"type": "ratio", **ind, "target": t})
    if kind == "shortfall":
        return st.tuples(st.integers(1, 200), st.sampled_from([0.25, 0.5, 1, 2])).map(
            lambda t: {"type": "shortfall", **ind, "target": t[0], "per_unit": t[1]})
    if kind == "bands":
        return st.lists(st.integers(0, 200), min_size=1, max_size=3, unique=True).map(
            lambda mins: {"type": "bands", **ind, "bands": [
                {"min": m, "points": round(top * (len(mins) - i) / len(mins), 2)}
                for i, m in enumerate(sorted(mins, reverse=True))]})
    if kind == "per_count":
        return st.sampled_from([0.5, 1, 2.5]).map(lambda e: {"type": "per_count", **ind, "each": e})
    if kind == "relative":
        return st.sampled_from(["group", "all"]).map(lambda s: {"type": "relative", **ind, "scope": s})
    if kind == "minmax":
        return st.sampled_from(["group", "all"]).map(lambda s: {"type": "minmax", **ind, "scope": s})
    if kind == "target_leader":
        return st.integers(50, 150).map(lambda t: {"type": "target_leader", **ind, "target": t})
    if kind == "formula":
        return st.just({"type": "formula", "expr": f"({indicator} + 1) / 2",
                        "then": {"type": "linear", "zero_at": 0, "full_at": 100}})
    raise ValueError(kind)


ALL = ["boolean", "linear", "ratio", "shortfall", "bands", "per_count", "relative", "minmax",
       "target_leader", "formula"]
ABSOLUTE = ["boolean", "linear", "ratio", "shortfall", "bands", "per_count", "formula"]
MONOTONE = ["linear", "ratio", "shortfall", "relative", "minmax", "target_leader", "formula"]


@st.composite
def leaf(draw, code: str, kinds: list[str], indicators: list[str]) -> dict[str, Any]:
    top = draw(st.sampled_from([0, 2, 5, 10, 12.5, 25]))
    kind = draw(st.sampled_from(kinds))
    rule = draw(_rule(kind, draw(st.sampled_from(indicators)), top))
    node: dict[str, Any] = {"code": code, "name": f"Tiêu chí {code}", "max_points": top, "rule": rule}
    if draw(st.booleans()):
        node["weight"] = draw(st.sampled_from([0.5, 1, 2, 3]))
    return node


@st.composite
def node(draw, code: str, depth: int, kinds: list[str], indicators: list[str]) -> dict[str, Any]:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(leaf(code, kinds, indicators))
    n = draw(st.integers(1, 3))
    kids = [draw(node(f"{code}.{i + 1}", depth - 1, kinds, indicators)) for i in range(n)]
    how = draw(st.sampled_from(["sum", "sum", "weighted_mean", "geometric_mean"]))
    if how != "sum":
        for i, kid in enumerate(kids):  # a mean needs children worth something
            if kid["max_points"] == 0:
                kids[i] = {"code": kid["code"], "name": kid["name"], "max_points": 10, "rule": {
                    "type": "linear", "indicator": indicators[0], "zero_at": 0, "full_at": 100}}
        top = draw(st.sampled_from([10, 20, 30]))
        return {"code": code, "name": f"Nhóm {code}", "max_points": top, "aggregate": how, "children": kids}
    return {"code": code, "name": f"Nhóm {code}", "max_points": sum(k["max_points"] for k in kids),
            "children": kids}


@st.composite
def criteria_docs(draw, kinds: list[str] = ALL, indicators: list[str] = NUMBERS,
                  depth: int = 2) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    tops = [draw(node(str(i + 1), depth, kinds, indicators)) for i in range(n)]
    if sum(t["max_points"] for t in tops) == 0:  # a file is worth something
        tops.append({"code": "Z", "name": "Z", "max_points": 10,
                     "rule": {"type": "linear", "indicator": indicators[0], "zero_at": 0, "full_at": 100}})
    total = sum(t["max_points"] for t in tops)
    precision = draw(st.sampled_from([2, 2, 1, 0, None]))
    if precision == 0 and any(float(n["max_points"]) % 1 for n in _all(tops)):
        precision = 1  # a file cannot round to whole points a criterion worth 12.5
    doc: dict[str, Any] = {
        "format": 1, "id": "tinh-chat", "name": "Thuộc tính", "version": "1", "total": total,
        "precision": precision,
        "round_at": draw(st.sampled_from(["leaves", "total"])),
        "units": {"id": "id", "name": "name", "group": "group"},
        "missing": "error", "criteria": tops,
        "ranking": {"method": draw(st.sampled_from(["competition", "dense", "ordinal"]))},
    }
    return doc


def _all(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n in nodes:
        out.append(n)
        out += _all(n.get("children", []))
    return out


values = st.one_of(st.integers(0, 200).map(float),
                   st.decimals(0, 200, places=1).map(float))


@st.composite
def rows(draw, min_size: int = 1, max_size: int = 12) -> list[dict[str, Any]]:
    n = draw(st.integers(min_size, max_size))
    out = []
    for i in range(n):
        row: dict[str, Any] = {"id": f"U{i + 1:02d}", "name": f"Đơn vị {i + 1}",
                               "group": draw(st.sampled_from(GROUPS))}
        row.update({x: draw(values) for x in NUMBERS})
        row["f0"] = draw(st.booleans())
        out.append(row)
    return out
