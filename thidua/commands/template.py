"""`thidua template`: the data-entry workbook for a criteria file (thidua/output/template.py)."""

from __future__ import annotations

import click

from thidua.commands.common import emit, reports_errors
from thidua.i18n import _


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The workbook to write (.xlsx).")
@click.option("--from", "from_data", type=click.Path(dir_okay=False), default=None,
              help="A data file whose units (id, name, group) fill one row each.")
@click.option("--decimal-comma", is_flag=True, help="--from DATA writes decimals with a comma.")
@click.option("--sheet", default=None, help="--from DATA: the worksheet of an .xlsx to read.")
@reports_errors
def template(criteria: str, output: str, from_data: str | None, decimal_comma: bool,
             sheet: str | None) -> None:
    """Write the data-entry workbook for CRITERIA: one column per indicator under its header.

    Each header carries a comment with its criterion and rule; values are checked as they are
    typed (numbers within bounds, có/không, the listed clusters). With --from DATA, one row per
    unit of DATA. A filled workbook is read by `thidua score CRITERIA nhap-lieu.xlsx`.

    \b
    Example:
      thidua template cum-xa.yaml -o nhap-lieu.xlsx
      thidua template cum-xa.yaml --from cum-xa.csv -o nhap-lieu.xlsx
    """
    from thidua.errors import Problem, UsageError
    from thidua.input import load_units
    from thidua.input.load import load_criteria
    from thidua.output.template import write_template

    if not output.lower().endswith(".xlsx"):
        raise UsageError(output, [Problem("", _("the template is an .xlsx workbook; name it "
                                                "….xlsx (for example nhap-lieu.xlsx)"))])
    c = load_criteria(criteria)
    units = (load_units(c, from_data, decimal_comma=decimal_comma, sheet=sheet)
             if from_data else [])
    emit(lambda path: write_template(c, path, units), output)
