"""The command line. Heavy imports wait until a command runs, so `thidua --help` answers at once."""

from __future__ import annotations

import click

from .commands import audit, awards, demo, explain, library, score, sensitivity, validate, verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thidua")
def cli() -> None:
    """thidua: score, rank and shortlist units for emulation awards (thi đua – khen thưởng)
    from a declared criteria file."""


COMMANDS = (validate.validate, score.score, awards.awards, explain.explain, demo.demo,
            library.list_criteria, library.init, audit.audit, sensitivity.sensitivity, verify.verify)
for command in COMMANDS:
    cli.add_command(command)
