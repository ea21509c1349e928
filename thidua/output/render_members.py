"""The evidence of members conditions in the council's words: each condition's member count and
share against its threshold ("LĐTT: 8/11 = 72,7 % ≥ 70 %; kỷ luật từ cảnh cáo: 0 ≤ 0"), for the
reasons of `awards`, `explain` and the report, and the `members` column of their machine formats.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from thidua import model as m
from thidua.core import members as core
from thidua.i18n import _


def _percent(value: Fraction, digits: int) -> str:
    q = Decimal(value.numerator) / Decimal(value.denominator)
    text = str(q.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def shown_share(count: int, of: int, threshold: Fraction, met: bool) -> str:
    """count/of as a percentage to one decimal (72,7), with more decimals where one decimal
    would show a failed share equal to its threshold (69,96 shown as 69,96, not 70)."""
    share = Fraction(100 * count, of)
    for digits in (1, 2, 3, 6):
        text = _percent(share, digits)
        if met or Fraction(Decimal(text.replace(",", "."))) < threshold:
            return text
    return text


def label(cond: m.MembersCondition) -> str:
    if cond.name:
        return cond.name
    return ", ".join(f"“{x}”" if cond.kind == "classification" else x for x in cond.codes)


def one(cond: m.MembersCondition, count: int, of: int, met: bool) -> str:
    """One condition's evidence for a collective of `of` members, `count` of them holding it."""
    name = label(cond)
    if of == 0:
        return _("{name}: no member", name=name)
    if cond.share is not None:
        threshold = core.fraction(cond.share)
        return _("{name}: {count}/{of} = {share} % {sign} {threshold} %", name=name, count=count,
                 of=of, share=shown_share(count, of, threshold, met), sign="≥" if met else "<",
                 threshold=_percent(threshold, 6))
    if cond.count is not None:
        return _("{name}: {count} {sign} {limit}", name=name, count=count,
                 sign="≥" if met else "<", limit=cond.count)
    return _("{name}: {count} {sign} {limit}", name=name, count=count, sign="≤" if met else ">",
             limit=cond.count_max)


def evidence(award: m.Award, unit: dict[str, Any]) -> str:
    """Every members condition of `award` for one unit (its row of the unit table), joined."""
    parts = []
    for j, cond in enumerate(award.eligible.members or []):
        count, of, met = (unit[core.column(w, award.code, j)] for w in ("count", "of", "met"))
        parts.append(one(cond, int(count), int(of), bool(met)))
    return "; ".join(parts)


def sentence_part(award: m.Award, unit: dict[str, Any]) -> str:
    """What the reason adds: '' for an award without members conditions."""
    if not award.eligible.members:
        return ""
    if int(unit[core.column("of", award.code, 0)]) == 0:
        return _("Members: none in the members' result (every members condition fails).")
    return _("Members: {evidence}.", evidence=evidence(award, unit))


def records(award: m.Award, unit: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON of an award's members conditions for one unit."""
    out = []
    for j, cond in enumerate(award.eligible.members or []):
        count, of, met = (unit[core.column(w, award.code, j)] for w in ("count", "of", "met"))
        out.append({"condition": j, "kind": cond.kind, "codes": cond.codes, "test": cond.test,
                    "threshold": getattr(cond, cond.test), "count": int(count), "of": int(of),
                    "met": bool(met), "evidence": one(cond, int(count), int(of), bool(met))})
    return out
