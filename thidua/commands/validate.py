from __future__ import annotations

import click

from thidua.commands.common import reports_errors
from thidua.i18n import ngettext


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@reports_errors
def validate(criteria: str) -> None:
    """Check a criteria file; print every problem at its place.

    \b
    Example:
      thidua validate criteria.yaml
    """
    from thidua.errors import printable
    from thidua.input.checks import all_nodes
    from thidua.input.load import load_criteria

    c = load_criteria(criteria)
    leaves = sum(1 for _place, node in all_nodes(c) if node.rule is not None)
    click.echo(printable(ngettext(
        "{path}: valid (format 1, {id} {version}, {count} scored criterion, total {total})",
        "{path}: valid (format 1, {id} {version}, {count} scored criteria, total {total})",
        leaves, path=criteria, id=c.id, version=c.version, count=leaves,
        total=format(c.total, "g"))))
