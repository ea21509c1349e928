"""The command line. Heavy imports wait until a command runs, so `thidua --help` answers at once."""

from __future__ import annotations

import gc
import os

import click

# Polars' allocator (jemalloc) reads this variable when polars is first imported, which for the
# command line is after this line; a value the user set is left alone. With one arena, memory
# that one step of the engine frees on one thread is reused by the next step's allocations on
# another, instead of being kept beside them: on 1,000,000 units (benchmarks/score_1m.py) peak
# memory drops from about 1,430 to 1,230 MiB and wall time from about 2.7 to 2.35 s.
os.environ.setdefault("_RJEM_MALLOC_CONF", "narenas:1")

from thidua.commands import (
    audit,
    awards,
    demo,
    explain,
    library,
    report,
    score,
    sensitivity,
    template,
    validate,
    verify,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thidua")
def cli() -> None:
    """thidua: score, rank and shortlist units for emulation awards (thi đua – khen thưởng)
    from a declared criteria file."""


COMMANDS = (validate.validate, score.score, awards.awards, explain.explain, demo.demo,
            library.list_criteria, library.init, audit.audit, sensitivity.sensitivity, verify.verify,
            template.template, report.report)
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    """The `thidua` command."""
    try:
        cli()
    finally:
        # what is left is freed with the process: the collection Python runs at exit would only
        # walk every object of the loaded libraries once more (about 0.04 s)
        gc.freeze()
