from __future__ import annotations

import click

from thidua.commands.common import choose_format, format_option, meta, reads, render, reports_errors
from thidua.output.formats import UNITS


@click.command()
@format_option(UNITS)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="As for score.")
@reports_errors
def demo(fmt: str | None, output: str | None) -> None:
    """Run the bundled example: communes scored on 'dân vận chính quyền' and service to citizens.

    It prints the ranking of each cluster and the award shortlists.
    """
    from thidua.core.engine import score as run
    from thidua.input import read_inputs, shipped

    fmt = choose_format(UNITS, fmt, output)
    criteria, data = str(shipped("dvcq-xa.yaml")), str(shipped("dvcq-xa.csv"))
    reads(criteria, data)
    c, frame = read_inputs(criteria, data)
    result = run(c, frame, data)
    render(UNITS, fmt, result, output, meta(criteria, data, result.units.height))
