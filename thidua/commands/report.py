from __future__ import annotations

import click

from thidua.commands.common import choose_format, output_options, render, reports_errors
from thidua.commands.history import earlier, history_option
from thidua.commands.membership import members_of, members_option
from thidua.output.formats import PAGE


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@history_option
@members_option
@output_options(PAGE)
@reports_errors
def report(criteria: str, data: str, fmt: str | None, output: str | None, decimal_comma: bool,
           sheet: str | None, history: str | None, members: str | None) -> None:
    """One self-contained page for the council: summary, a chart and the ranking per cluster,
    the award proposals with their quota arithmetic and reasons, every unit's explanation, the
    policies, basis and note, and the signatures; it prints on A4 landscape.

    \b
    Example:
      thidua report criteria.yaml data.csv -o bao-cao.html
    """
    from thidua.core.engine import score
    from thidua.input import read_inputs

    fmt = choose_format(PAGE, fmt, output)
    c, frame = read_inputs(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
    past = earlier(c, criteria, history, frame, decimal_comma)
    render(PAGE, fmt, score(c, frame, data, trace=True, earlier=past,
                            members_data=members_of(c, members, frame, criteria)), output)
