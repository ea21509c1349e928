"""The command line. Heavy imports wait until a command runs, so `thidua --help` answers at once."""

from __future__ import annotations

import gc
import os
from typing import Any

import click

# Polars' allocator (jemalloc) reads this variable when polars is first imported, which for the
# command line is after this line; a value the user set is left alone. With one arena, memory
# that one step of the engine frees on one thread is reused by the next step's allocations on
# another, instead of being kept beside them: on 1,000,000 units (benchmarks/score_1m.py) peak
# memory dropped from about 1,430 to 1,230 MiB and wall time from about 2.7 to 2.35 s. Freed
# pages are returned after 0.3 s instead of jemalloc's 10 s: a command that reads, scores,
# orders and writes a million units frees most of what it allocates in pieces it cannot reuse
# (the reading's chunks, the query's columns), and peaked at nearly all it ever held (about
# 1.6-1.75 GB; 1.4-1.5 GB so, at the same speed; returned at once, 1.2 GB but twice as slow).
os.environ.setdefault("_RJEM_MALLOC_CONF", "narenas:1,dirty_decay_ms:300,muzzy_decay_ms:0")

from thidua import i18n
from thidua.commands import (
    audit,
    awards,
    compare,
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


class Thidua(click.Group):
    """The `thidua` group: every run starts in the language of THIDUA_LANG (Vietnamese when it is
    unset), so that even `--help` before `--lang` and click's own errors are in it."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        if parent is None:
            speak(i18n.from_environment())
        return super().make_context(info_name, args, parent=parent, **extra)


def speak(language: str) -> None:
    i18n.use(language)
    i18n.translate_help(cli)


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        speak(value.lower())


@click.group(cls=Thidua, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(i18n.LANGUAGES, case_sensitive=False),
              envvar=i18n.ENVIRONMENT, is_eager=True, expose_value=False,
              callback=_choose_language,
              help="Language of every message: vi (Vietnamese, the default) or en (English); "
                   "also THIDUA_LANG.")
@click.version_option(package_name="thidua",
                      message=i18n.VersionMessage("%(prog)s, version %(version)s"))
def cli() -> None:
    """thidua: score, rank and shortlist units for emulation awards (thi đua – khen thưởng)
    from a declared criteria file."""


COMMANDS = (validate.validate, score.score, awards.awards, explain.explain, demo.demo,
            library.list_criteria, library.init, audit.audit, sensitivity.sensitivity, verify.verify,
            template.template, report.report, compare.compare)
for command in COMMANDS:
    cli.add_command(command)
i18n.install_click()  # after the tree is built: its help is kept in English, the message ids


def main() -> None:
    """The `thidua` command."""
    try:
        cli()
    finally:
        # what is left is freed with the process: the collection Python runs at exit would only
        # walk every object of the loaded libraries once more (about 0.04 s)
        gc.freeze()
