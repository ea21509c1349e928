"""One message catalog for everything a person reads: Vietnamese by default, English on request.

Messages are written in the source in English (the gettext convention: the English text is the
message id) and looked up in the compiled gettext catalogs of thidua/locale/<lang>/LC_MESSAGES/
thidua.mo, read by Python's own `gettext`. A message with values names them (`{criterion}`) and
gets them as keywords, so a translation may put them in any order:

    _("{path}: {count} problems", path=source, count=n)      # translated now
    ngettext("{count} problem", "{count} problems", n, count=n)
    N_("Score every unit.")                                    # only marked, translated later

The language is chosen once argv is read (`thidua --lang en`, or THIDUA_LANG=en; Vietnamese
otherwise): `use(language)`. The texts click prints itself ("Usage:", "Missing argument",
"Aborted!") go through the same catalog (`install_click`), and the help of every command and
option is translated when the language is set (`translate_help`), since the command tree is built
before the language is known. How to add a message: docs/cli.md, "Language".
"""

from __future__ import annotations

import gettext
import inspect
import os
import sys
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the core uses this module too, and the core imports no click
    import click

DOMAIN = "thidua"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"
ENVIRONMENT = "THIDUA_LANG"
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types",
                  "utils", "_termui_impl")


def locale_dir() -> str:
    """The folder of the compiled catalogs (inside the package, so a wheel carries them)."""
    return str(resources.files("thidua") / "locale")


def _load(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, locale_dir(), languages=[language])


_current: gettext.NullTranslations | None = None
_language = DEFAULT


def use(language: str) -> None:
    """Speak `language` (one of LANGUAGES) from now on."""
    global _current, _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; one of {', '.join(LANGUAGES)}")
    _current, _language = _load(language), language


def language() -> str:
    return _language


def from_environment() -> str:
    """THIDUA_LANG when it names a known language, else Vietnamese (an unknown one is refused by
    the --lang option, which reads the same variable)."""
    asked = os.environ.get(ENVIRONMENT, "").strip().lower()
    return asked if asked in LANGUAGES else DEFAULT


def _catalog() -> gettext.NullTranslations:
    if _current is None:
        use(_language)
    assert _current is not None
    return _current


def gettext_(message: str) -> str:
    """`message` in the current language (the id itself when the catalog lacks it)."""
    return _catalog().gettext(message)


def _(message: str, /, **values: Any) -> str:
    """`message` in the current language, its `{placeholders}` filled from `values`."""
    text = _catalog().gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: Any) -> str:
    """The singular or plural form for `n`, in the current language, filled from `values`."""
    text = _catalog().ngettext(singular, plural, n)
    return text.format(**values) if values else text


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it yet (translated where shown)."""
    return message


# What the system says of the errors a person meets with files, in the reader's language; any
# other error keeps the system's own words (its strerror).
_SYSTEM = {"ENOENT": N_("no such file or folder"), "EACCES": N_("permission denied"),
           "EPERM": N_("operation not permitted"), "EISDIR": N_("it is a folder"),
           "ENOTDIR": N_("a part of the path is not a folder"), "ENOSPC": N_("the disk is full"),
           "EROFS": N_("the file system is read-only"), "EEXIST": N_("it already exists"),
           "ENAMETOOLONG": N_("the name is too long"), "EDQUOT": N_("the disk quota is used up")}


def system(error: OSError) -> str:
    """What went wrong with a file: in English the system's own words (its strerror), in
    Vietnamese the catalog's for the common errors."""
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    if name in _SYSTEM and _language != "en":
        return _(_SYSTEM[name])
    return error.strerror or str(error)


def thousands(n: int) -> str:
    """A whole number with its thousands marked as the language writes them: 5.000 or 5,000."""
    return format(n, ",").replace(",", "." if _language == "vi" else ",")


def marks(text: str) -> str:
    """A number written the English way (1,234.5) with the marks of the language: 1.234,5 in
    Vietnamese (a decimal comma, thousands marked with a dot), as it is in English. Its own
    inverse: a number written with the language's marks comes back with English ones."""
    return text if _language == "en" else text.translate(_SWAP)


_SWAP = str.maketrans(",.", ".,")


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def install_click() -> None:
    """Make click's own texts ("Usage:", "Missing argument", "Aborted!", "Show this message and
    exit.") come from this catalog, in the current language. Click calls `gettext` of the
    default domain through names bound in each of its modules; they are rebound to ours."""
    for name in _CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if getattr(module, "_", None) is not None:
            module._ = gettext_  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is not None:
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]


# click's words for the options and the command in a usage line, as click writes them.
_METAVARS = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."))

# The English help of each command and parameter (and the metavar click would show for an
# option's value, TEXT, FILE, INTEGER RANGE), kept when it is first translated.
_ORIGINAL: dict[int, tuple[Any, str | None, str | None, str | None]] = {}


def help_texts(command: click.Command) -> list[str]:
    """The help texts of `command` and of everything under it, as click shows them (message ids)."""
    out: list[str] = []
    for thing in _tree(command):
        _thing, help_text, short, metavar = _original(thing)
        out += [t for t in (help_text, short, metavar) if t]
    return [*_METAVARS, *out]


def _tree(command: click.Command) -> list[click.Command | click.Parameter]:
    import click

    found: list[click.Command | click.Parameter] = []
    stack = [command]
    while stack:
        cmd = stack.pop()
        found.append(cmd)
        found += cmd.params
        if isinstance(cmd, click.Group):
            stack += sorted(cmd.commands.values(), key=lambda c: c.name or "", reverse=True)
    return found


def _original(thing: click.Command | click.Parameter
              ) -> tuple[Any, str | None, str | None, str | None]:
    import click

    key = id(thing)
    if key not in _ORIGINAL:
        help_text = getattr(thing, "help", None)
        short = getattr(thing, "short_help", None)
        metavar = None
        if (isinstance(thing, click.Option) and thing.metavar is None and not thing.is_flag
                and thing.nargs == 1
                and type(thing.type).get_metavar is click.ParamType.get_metavar):
            metavar = thing.type.name.upper()  # what click shows: TEXT, FILE, INTEGER RANGE
        _ORIGINAL[key] = (thing, inspect.cleandoc(help_text) if help_text else help_text, short,
                          metavar)
    return _ORIGINAL[key]


def translate_help(command: click.Command) -> None:
    """Put the help of `command` and every command and option under it in the current language."""
    import click

    for thing in _tree(command):
        _thing, help_text, short, metavar = _original(thing)
        if metavar:
            thing.metavar = gettext_(metavar)  # type: ignore[union-attr]
        if help_text:
            thing.help = gettext_(help_text)
        if short:
            thing.short_help = gettext_(short)  # type: ignore[union-attr]
        if isinstance(thing, click.Command):
            thing._help_option = None  # rebuilt by click with its text in the current language
            thing.options_metavar = gettext_(_METAVARS[0])
        if isinstance(thing, click.Group):
            thing.subcommand_metavar = gettext_(_METAVARS[1])


class VersionMessage(str):
    """click's version line, translated when click fills it in (`message % {...}`)."""

    __slots__ = ()

    def __mod__(self, values: Any) -> str:
        return gettext_(str(self)) % values
