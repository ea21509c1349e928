from __future__ import annotations

import click

from thidua.commands.common import FORMAT_CHOICE, choose_format, render_result, reports_errors


@click.command()
@click.option("--format", "fmt", type=FORMAT_CHOICE, default=None, help="As for score.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="As for score.")
@reports_errors
def demo(fmt: str | None, output: str | None) -> None:
    """Run the bundled example: communes scored on 'dân vận chính quyền' and service to citizens.

    It prints the ranking of each cluster and the award shortlists.
    """
    from thidua.core.engine import score as run
    from thidua.input import read_inputs, shipped

    fmt = choose_format(fmt, output)
    criteria, data = str(shipped("dvcq-xa.yaml")), str(shipped("dvcq-xa.csv"))
    c, frame = read_inputs(criteria, data)
    render_result(run(c, frame, data), fmt, output, (criteria, data))
