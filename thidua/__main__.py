"""The `thidua` command (and `python -m thidua`): the allocator told to give memory back soon,
then the command line.

polars allocates through its own jemalloc, which keeps the pages a program frees for ten
seconds before it returns them. A command that reads, scores, orders and writes a million units
in five seconds frees most of what it allocates and reuses little of it (the reading's pieces,
the query's columns and the decisions' arrays differ in size), so it peaked at nearly all it
ever held: about 1.75 GB for the benchmark's million units. Returned after 0.3 s, the peak is
about 1.3 GB at the same speed (returned at once, 1.2 GB but twice as slow). jemalloc reads this
when polars first allocates, so it is set here, before anything imports polars, and never over
a setting of the user's own; a program that imports thidua as a library keeps its own.
"""

from __future__ import annotations

import os

ALLOCATOR = "_RJEM_MALLOC_CONF"  # the variable polars' jemalloc reads (its symbols' prefix)
RETURN_SOON = "dirty_decay_ms:300,muzzy_decay_ms:0"


def main() -> None:
    os.environ.setdefault(ALLOCATOR, RETURN_SOON)
    from thidua.cli import main as command_line

    command_line()


if __name__ == "__main__":
    main()
