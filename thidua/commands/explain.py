from __future__ import annotations

import click

from thidua.commands.common import choose_format, output_options, render, reports_errors
from thidua.output.formats import COMPARISON, EXPLANATION


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.argument("unit_id")
@click.argument("other", required=False)
@output_options(EXPLANATION)
@reports_errors
def explain(criteria: str, data: str, unit_id: str, other: str | None, fmt: str | None, output: str | None,
            decimal_comma: bool, sheet: str | None) -> None:
    """One unit's whole trace: each criterion's data, rule and points, bonus, penalty, knockouts,
    classification, rank, the margin to its neighbours, and each award's reason. With a second
    unit (OTHER): the two side by side, criterion by criterion, where they differ, and why the
    one ranks above the other.

    \b
    Example:
      thidua explain criteria.yaml data.csv X07
      thidua explain criteria.yaml data.csv X07 X12
    """
    from thidua.core.engine import score
    from thidua.core.explain import explain as trace
    from thidua.input import columns_for, read_data
    from thidua.input.load import load_criteria

    fmt = choose_format(EXPLANATION, fmt, output)
    c = load_criteria(criteria)
    # the frame read is handed to the engine without a name, as `score` does: the engine's is its
    # only reference, so its memory is free once the points are computed
    result = score(c, read_data(data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet),
                   data, trace=True)
    if other is not None:
        from thidua.core.explain import compare

        render(COMPARISON, fmt, compare(result, unit_id, other, data), output)
        return
    render(EXPLANATION, fmt, trace(result, unit_id, data), output)
