"""Keep the message catalogs: extract every message, update the .po files, compile the .mo files.

    .venv/bin/python -m thidua.locale.catalog update    # thidua.pot from the source; vi.po, en.po
    .venv/bin/python -m thidua.locale.catalog compile   # thidua.mo beside each .po
    .venv/bin/python -m thidua.locale.catalog check     # what is missing or stale (the tests run it)

A maintainer's tool, not a part of the program: it needs Babel (a test dependency), the program
only Python's gettext and the compiled .mo files, which are committed beside their .po so that a
fresh clone and the built wheel carry them (tests/test_i18n.py checks that they agree).

The messages come from three places: every `_()`, `ngettext()` and `N_()` in thidua's source
(Babel's Python extractor); the help of every command and option (the docstrings and `help=`
texts, read from the command tree); and click's own texts, which click passes through gettext
(extracted from click's installed source, so a click upgrade that rewords one shows up as a
stale catalog). English is the source language: en.po starts as a copy of every message id and
may then say it better; vi.po is translated by hand.
"""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path
from typing import Any

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from thidua import i18n

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
TEMPLATE = HERE / f"{i18n.DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "gettext_": None, "_Said": None}
CLICK_FILES = ("core.py", "decorators.py", "exceptions.py", "formatting.py", "parser.py",
               "termui.py", "types.py", "utils.py")
DATE = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)  # fixed: no churn in the headers


def po_path(language: str) -> Path:
    return HERE / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def _at(path: str) -> Any:
    return [(path, None)]  # the file only: line numbers would change at every edit


def template() -> Catalog:
    """Every message a person can read, as found in the source, the commands and click."""
    from thidua.cli import cli

    catalog = Catalog(project="thidua", creation_date=DATE, revision_date=DATE,
                      fuzzy=False)
    for filename, _lineno, message, comments, context in extract_from_dir(
            PACKAGE, keywords=KEYWORDS, directory_filter=lambda d: "locale" not in d):
        catalog.add(message, locations=_at(f"thidua/{filename}"),
                    auto_comments=comments, context=context)
    for text in i18n.help_texts(cli):
        catalog.add(text, locations=_at("thidua/commands (help)"))
    folder = Path(click.__file__).parent
    for name in CLICK_FILES:
        for _lineno, message, _comments, context in extract_from_file(
                "python", folder / name, keywords={"_": None, "ngettext": (1, 2)}):
            catalog.add(message, locations=_at(f"click/{name}"), context=context)
    return catalog


def _read(language: str) -> Catalog:
    path = po_path(language)
    if path.exists():
        with path.open("rb") as f:
            return read_po(f, locale=language)
    return Catalog(locale=language, project="thidua", creation_date=DATE, revision_date=DATE,
                   fuzzy=False)


def _written(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, ignore_obsolete=True, include_lineno=False, sort_output=True)
    return out.getvalue()


def update() -> None:
    """Write thidua.pot and bring every .po up to it (new ids empty; en copies its id)."""
    pot = template()
    TEMPLATE.write_bytes(_written(pot))
    for language in i18n.LANGUAGES:
        catalog = _read(language)
        catalog.update(pot, no_fuzzy_matching=True, update_creation_date=False)
        catalog.revision_date = DATE
        if language == "en":
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id if isinstance(message.id, str) else tuple(message.id)
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_written(catalog))


def compile_all() -> None:
    for language in i18n.LANGUAGES:
        with po_path(language).open("rb") as f:
            catalog = read_po(f, locale=language)
        with mo_path(language).open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)


def _translated(message: object) -> bool:
    string = getattr(message, "string", None)
    if isinstance(string, (tuple, list)):
        return all(string)
    return bool(string)


def check() -> list[str]:
    """What is wrong with the catalogs: ids the source has and a catalog lacks or leaves
    untranslated, ids a catalog keeps that the source no longer has, a .mo that is not its .po."""
    import gettext

    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template() if m.id}
    problems: list[str] = []
    for language in i18n.LANGUAGES:
        with po_path(language).open("rb") as f:
            catalog = read_po(f, locale=language)
        have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
        problems += [f"{language}: no translation of {key!r}" for key in sorted(wanted)
                     if key not in have or not _translated(have[key]) or have[key].fuzzy]
        problems += [f"{language}: {key!r} is no longer in the source" for key in sorted(have)
                     if key not in wanted]
        with mo_path(language).open("rb") as f:
            compiled = gettext.GNUTranslations(f)
        for key, message in have.items():
            if isinstance(message.id, str):
                if compiled.gettext(key) != (message.string or key):
                    problems.append(f"{language}: thidua.mo differs from thidua.po at {key!r}: "
                                    "run the compile step")
            else:
                forms = message.string if isinstance(message.string, (tuple, list)) else ()
                for n in (1, 2, 5):
                    got = compiled.ngettext(message.id[0], message.id[1], n)
                    if forms and all(forms) and got not in forms:
                        problems.append(f"{language}: thidua.mo differs from thidua.po at "
                                        f"{key!r}: run the compile step")
                        break
    return problems


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
    elif argv == ["compile"]:
        compile_all()
    elif argv == ["check"]:
        problems = check()
        for line in problems:
            print(line)
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
