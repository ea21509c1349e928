"""A small, safe expression language for `formula` rules and knockout conditions.

The text comes from a council's file and is data, never code: a hand-written tokenizer and
recursive-descent parser build a typed syntax tree, which compiles to one polars expression.
Python never evaluates the text, and hostile input meets hard limits before any real work.

    or    := and ('or' and)*
    and   := not ('and' not)*
    not   := 'not' not | cmp
    cmp   := add (CMPOP add)?          no chaining: `a < b < c` is an error
    add   := mul (('+'|'-') mul)*
    mul   := unary (('*'|'/') unary)*
    unary := '-' unary | '+' unary | atom
    atom  := NUMBER | 'true' | 'false' | NAME | FUNC '(' or (',' or)* ')' | '(' or ')'
"""

from __future__ import annotations

import functools
import math
import operator
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeAlias

import polars as pl

from thidua.core.rounding import snap
from thidua.i18n import N_, _

MAX_CHARS = 2000
MAX_TOKENS = 500
MAX_DEPTH = 50
MAX_FILE_NODES = 5_000  # syntax-tree nodes of every expression in one file (checks.py); the
# shipped files use at most 30, and scoring's memory and time grow with this number

Kind: TypeAlias = Literal["number", "bool"]
KEYWORDS = frozenset({"and", "or", "not", "true", "false"})
FUNCS = frozenset({"min", "max", "abs"})
COMPARISONS = frozenset({">", ">=", "<", "<=", "==", "!="})
DIGITS = "0123456789"


class ExprError(ValueError):
    """A problem in an expression's text, at a 0-based character offset."""

    def __init__(self, message: str, position: int):
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return _("{message} at column {column}", message=self.message, column=self.position + 1)


# --- The syntax tree. `pos` points into the text for error messages and is not compared. ---


@dataclass(frozen=True)
class Num:
    """A number literal (never negative: a minus sign is a `Unary`)."""

    value: float
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Bool:
    value: bool
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Name:
    """An indicator (data column), NFC-normalised."""

    name: str
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Unary:
    op: Literal["-", "+"]
    operand: Expr
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Not:
    operand: Expr
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Arith:
    op: Literal["+", "-", "*", "/"]
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Compare:
    op: Literal[">", ">=", "<", "<=", "==", "!="]
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Logic:
    op: Literal["and", "or"]
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Call:
    func: Literal["min", "max", "abs"]
    args: tuple[Expr, ...]
    pos: int = field(default=0, compare=False, repr=False)


Expr: TypeAlias = Num | Bool | Name | Unary | Not | Arith | Compare | Logic | Call


# --- Tokens ---------------------------------------------------------------------------------

_QUOTES = N_("text in quotes is not allowed (put a column name in backticks)")

# Every symbol the tokenizer knows: None is an operator, a string is why it is refused.
_SYMBOLS: dict[str, str | None] = {
    **dict.fromkeys(("==", "!=", ">=", "<=", ">", "<", "+", "-", "*", "/", "(", ")", ",")),
    "**": N_("'**' (power) is not allowed"),
    "^": N_("'^' (power) is not allowed"),
    "%": N_("'%' is not allowed"),
    "=": N_("use == to compare"),
    "!": N_("use 'not' instead of '!'"),
    "&&": N_("use 'and' instead of '&&'"),
    "&": N_("use 'and' instead of '&'"),
    "||": N_("use 'or' instead of '||'"),
    "|": N_("use 'or' instead of '|'"),
    ".": N_("attribute access is not allowed"),
    "[": N_("indexing with [ ] is not allowed"),
    "]": N_("indexing with [ ] is not allowed"),
    ";": N_("';' is not allowed: write a single expression"),
    **dict.fromkeys("'\"\u2018\u2019\u201c\u201d", _QUOTES),
}


@dataclass(frozen=True)
class _Token:
    kind: Literal["num", "name", "quoted", "word", "op", "bad", "end"]
    text: str  # for "bad": the error message
    pos: int


def _tokenize(text: str) -> list[_Token]:
    """Split `text` into tokens; the first bad one ends the list, to be raised in text order."""
    if len(text) > MAX_CHARS:
        raise ExprError(_("the expression is too long (more than {most} characters)",
                          most=MAX_CHARS), MAX_CHARS)
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if len(tokens) == MAX_TOKENS:
            raise ExprError(_("the expression has too many parts (more than {most})",
                              most=MAX_TOKENS), i)
        tok, i = _read_token(text, i, tokens[-1] if tokens else None)
        tokens.append(tok)
        if tok.kind == "bad":
            return tokens
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _digits_end(text: str, i: int) -> int:
    while i < len(text) and text[i] in DIGITS:
        i += 1
    return i


def _continues_name(c: str) -> bool:
    return ("_" + c).isidentifier()


def _read_token(text: str, i: int, prev: _Token | None) -> tuple[_Token, int]:
    """The token that starts at `i`, and where the next one may start."""
    c = text[i]
    if c in DIGITS:
        return _read_number(text, i)
    if c.isidentifier():
        end = i + 1
        while end < len(text) and _continues_name(text[end]):
            end += 1
        word = unicodedata.normalize("NFC", text[i:end])
        if word in KEYWORDS:
            return _Token("word", word, i), end
        if word.lower() in KEYWORDS:
            return _Token("bad", _("write '{word}' in lower case", word=word.lower()), i), end
        return _Token("name", word, i), end
    if c == "`":
        end = text.find("`", i + 1)
        if end < 0:
            return _Token("bad", _("the name in backticks is not closed"), i), i
        inner = unicodedata.normalize("NFC", text[i + 1 : end])
        if not inner.strip():
            return _Token("bad", _("empty name in backticks"), i), i
        return _Token("quoted", inner, i), end + 1
    after_value = prev is not None and (prev.kind in ("num", "name", "quoted") or prev.text == ")")
    if c == "." and _digits_end(text, i + 1) > i + 1 and not after_value:
        digits = text[i + 1 : _digits_end(text, i + 1)]
        return _Token("bad", _("write 0.{digits}, not .{digits}", digits=digits), i), i
    for size in (2, 1):
        symbol = text[i : i + size]
        if len(symbol) == size and symbol in _SYMBOLS:
            refused = _SYMBOLS[symbol]
            return (_Token("bad", _(refused), i) if refused else _Token("op", symbol, i)), i + size
    return _Token("bad", _("unexpected character {character}", character=repr(c)), i), i


def _read_number(text: str, i: int) -> tuple[_Token, int]:
    end = _digits_end(text, i)
    if end < len(text) and text[end] == ".":
        if _digits_end(text, end + 1) == end + 1:
            return _Token("bad", _("a number needs digits after the '.'"), end), end
        end = _digits_end(text, end + 1)
        if end < len(text) and text[end] == ".":
            return _Token("bad", _("a number has only one '.'"), end), end
    if end < len(text) and _continues_name(text[end]):
        return _Token("bad", _("missing operator after the number {number}",
                               number=text[i:end]), end), end
    if not math.isfinite(float(text[i:end])):
        return _Token("bad", _("the number is too large"), i), end
    return _Token("num", text[i:end], i), end


def _describe(tok: _Token) -> str:
    if tok.kind == "end":
        return _("the end")
    # a name in backticks may hold a tab or a line break: shown escaped, a message is one line
    text = "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in tok.text)
    return f"`{text}`" if tok.kind == "quoted" else f"'{text}'"


# --- Parser ---------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token:
        tok = self.tokens[self.i]
        if tok.kind == "bad":
            raise ExprError(tok.text, tok.pos)
        return tok

    def take(self) -> _Token:
        tok = self.peek()
        self.i += 1
        return tok

    def at(self, *symbols: str) -> bool:
        tok = self.peek()
        return tok.kind in ("op", "word") and tok.text in symbols

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(
                _("the expression is nested too deeply (more than {most} levels)",
                  most=MAX_DEPTH), pos
            )

    def close(self, opening: _Token, expected: str) -> None:
        tok = self.peek()
        if tok.kind == "end":
            raise ExprError(_("'(' is not closed"), opening.pos)
        if not (tok.kind == "op" and tok.text == ")"):
            raise ExprError(_("expected {expected}, found {found}", expected=_(expected),
                              found=_describe(tok)), tok.pos)
        self.take()
        self.depth -= 1

    def or_(self) -> Expr:
        left = self.and_()
        while self.at("or"):
            tok = self.take()
            left = Logic("or", left, self.and_(), tok.pos)
        return left

    def and_(self) -> Expr:
        left = self.not_()
        while self.at("and"):
            tok = self.take()
            left = Logic("and", left, self.not_(), tok.pos)
        return left

    def not_(self) -> Expr:
        if not self.at("not"):
            return self.cmp()
        tok = self.take()
        self.enter(tok.pos)
        operand = self.not_()
        self.depth -= 1
        return Not(operand, tok.pos)

    def cmp(self) -> Expr:
        left = self.add()
        if not self.at(*COMPARISONS):
            return left
        tok = self.take()
        result = Compare(tok.text, left, self.add(), tok.pos)  # type: ignore[arg-type]
        if self.at(*COMPARISONS):
            raise ExprError(_("comparisons cannot be chained: write a < b and b < c"),
                            self.peek().pos)
        return result

    def add(self) -> Expr:
        left = self.mul()
        while self.at("+", "-"):
            tok = self.take()
            left = Arith(tok.text, left, self.mul(), tok.pos)  # type: ignore[arg-type]
        return left

    def mul(self) -> Expr:
        left = self.unary()
        while self.at("*", "/"):
            tok = self.take()
            left = Arith(tok.text, left, self.unary(), tok.pos)  # type: ignore[arg-type]
        return left

    def unary(self) -> Expr:
        if not self.at("-", "+"):
            return self.atom()
        tok = self.take()
        self.enter(tok.pos)
        operand = self.unary()
        self.depth -= 1
        return Unary(tok.text, operand, tok.pos)  # type: ignore[arg-type]

    def atom(self) -> Expr:
        tok = self.take()
        if tok.kind == "num":
            return Num(float(tok.text), tok.pos)
        if tok.kind == "word" and tok.text in ("true", "false"):
            return Bool(tok.text == "true", tok.pos)
        if tok.kind == "quoted":
            return Name(tok.text, tok.pos)
        if tok.kind == "name":
            return self.call(tok) if self.at("(") else Name(tok.text, tok.pos)
        if tok.kind == "op" and tok.text == "(":
            self.enter(tok.pos)
            inner = self.or_()
            self.close(tok, N_("an operator or ')'"))
            return inner
        raise ExprError(_("expected a number, a name or '(', found {found}",
                          found=_describe(tok)), tok.pos)

    def call(self, name: _Token) -> Expr:
        if name.text not in FUNCS:
            raise ExprError(_("function '{name}' is not allowed (only min, max, abs)",
                              name=name.text), name.pos)
        self.enter(name.pos)
        opening = self.take()
        args = [] if self.at(")") else [self.or_()]
        while self.at(","):
            self.take()
            args.append(self.or_())
        self.close(opening, N_("an operator, ',' or ')'"))
        if name.text == "abs" and len(args) != 1:
            raise ExprError(_("'abs' needs exactly 1 argument, got {count}", count=len(args)),
                            name.pos)
        if name.text != "abs" and len(args) < 2:
            raise ExprError(_("'{name}' needs at least 2 arguments, got {count}", name=name.text,
                              count=len(args)), name.pos)
        return Call(name.text, tuple(args), name.pos)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Expr:
    """The syntax tree of `text`; raises ExprError at the first problem. Parsed once per run
    (see check)."""
    parser = _Parser(_tokenize(text))
    if parser.peek().kind == "end":
        raise ExprError(_("the expression is empty"), 0)
    tree = parser.or_()
    tok = parser.peek()
    if tok.kind == "op" and tok.text == ")":
        raise ExprError(_("')' has no matching '('"), tok.pos)
    if tok.kind != "end":
        raise ExprError(_("expected an operator, found {found}", found=_describe(tok)), tok.pos)
    return tree


# --- Types ----------------------------------------------------------------------------------

_SAY: dict[Kind, str] = {"number": N_("a number"), "bool": N_("true/false")}
_MUST: dict[Kind, str] = {
    "bool": N_("a condition must be true/false, e.g. x > 0"),
    "number": N_("a formula must compute a number"),
}


def _expect(operands: tuple[Expr, ...], want: Kind, needs: str, pos: int) -> None:
    for operand in operands:
        got = kind(operand)
        if got != want:
            raise ExprError(_("{needs}, got {got}", needs=needs, got=_(_SAY[got])), pos)


def kind(e: Expr) -> Kind:
    """ "number" or "bool"; raises ExprError where an operator gets the wrong type."""
    match e:
        case Num() | Name():
            return "number"
        case Bool():
            return "bool"
        case Unary(op, x):
            _expect((x,), "number", _("'{op}' needs a number", op=op), e.pos)
            return "number"
        case Not(x):
            _expect((x,), "bool", _("'not' needs true/false"), e.pos)
            return "bool"
        case Arith(op, left, right):
            _expect((left, right), "number", _("'{op}' needs numbers on both sides", op=op), e.pos)
            return "number"
        case Compare(op, left, right):
            _expect((left, right), "number", _("'{op}' needs numbers on both sides", op=op), e.pos)
            return "bool"
        case Logic(op, left, right):
            _expect((left, right), "bool", _("'{op}' needs true/false on both sides", op=op),
                    e.pos)
            return "bool"
        case Call(func, args):
            _expect(args, "number", _("'{func}' needs numbers", func=func), e.pos)
            return "number"
    raise TypeError(f"not an expression: {e!r}")


@functools.lru_cache(maxsize=4096)
def check(text: str, want: Kind) -> Expr:
    """Parse and type-check `text`, which must compute `want` as a whole.

    Parsed once per run: the loader's checks, the scoring query, the data checks, the
    explanations and the renderers all ask for the same few texts, and each is parsed and
    checked the first time only (the trees are frozen, so sharing one is safe; a text that fails
    is not kept and fails again the same way)."""
    tree = parse(text)
    if kind(tree) != want:
        raise ExprError(_(_MUST[want]), 0)
    return tree


def _children(e: Expr) -> tuple[Expr, ...]:
    match e:
        case Unary(_, x) | Not(x):
            return (x,)
        case Arith(_, left, right) | Compare(_, left, right) | Logic(_, left, right):
            return (left, right)
        case Call(_, args):
            return args
    return ()


def size(e: Expr) -> int:
    """How many nodes the syntax tree of `e` has: the work compiling it, and every polars
    expression built from it, grows with this number."""
    count, stack = 0, [e]
    while stack:
        count += 1
        stack.extend(_children(stack.pop()))
    return count


def names(e: Expr) -> frozenset[str]:
    """The indicator names used in `e`."""
    found: set[str] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.add(node.name)
        stack.extend(_children(node))
    return frozenset(found)


# --- Rendering ------------------------------------------------------------------------------

_ATOM, _UNARY, _MUL, _ADD, _CMP, _NOT, _AND, _OR = 8, 7, 6, 5, 4, 3, 2, 1


def render(e: Expr) -> str:
    """Canonical text with minimal parentheses: parse(render(e)) == e."""
    return _render(e, 0)


def _render(e: Expr, least: int) -> str:
    text, level = _render_node(e)
    return f"({text})" if level < least else text


def _render_node(e: Expr) -> tuple[str, int]:
    match e:
        case Num(value):
            text = format(Decimal(repr(value + 0.0)), "f")
            return text.removesuffix(".0"), _ATOM
        case Bool(value):
            return ("true" if value else "false"), _ATOM
        case Name(name):
            plain = name.isidentifier() and name.lower() not in KEYWORDS
            return (name if plain else f"`{name}`"), _ATOM
        case Call(func, args):
            return f"{func}({', '.join(_render(a, 0) for a in args)})", _ATOM
        case Unary(op, x):
            return op + _render(x, _UNARY), _UNARY
        case Not(x):
            return "not " + _render(x, _NOT), _NOT
        case Compare(op, left, right):
            return f"{_render(left, _ADD)} {op} {_render(right, _ADD)}", _CMP
        case Arith(op, left, right) | Logic(op, left, right):
            level = {"+": _ADD, "-": _ADD, "*": _MUL, "/": _MUL, "and": _AND, "or": _OR}[op]
            return f"{_render(left, level)} {op} {_render(right, level + 1)}", level
    raise TypeError(f"not an expression: {e!r}")


# --- Compiling to polars --------------------------------------------------------------------

_OPERATORS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne, "and": operator.and_, "or": operator.or_,
}  # fmt: skip


def to_polars(e: Expr, column: Callable[[str], pl.Expr] = pl.col) -> pl.Expr:
    """One polars expression for `e`: Float64 numbers, x / 0 → null, min/max null if any is.

    Every subexpression is used once, so the polars plan grows linearly with the text
    (a `when(den == 0)` would repeat `den`, and `rounding.divide(num, den)` repeats `num`:
    either doubles the plan at each nested division, `a / b / c / …` of 120 divisions
    needed gigabytes).
    """
    kind(e)
    return _compile(e, column)


def _as_column(den: pl.Expr, right: Expr, whole: Expr) -> pl.Expr:
    """The denominator as a column, so that polars divides row by row: a column divided by one
    value is a multiplication by its reciprocal on longer columns, off in the last place for
    about one value in seven (see rounding.divide). A denominator that reads a column is one
    already; a constant one is spread over a column the formula reads, at a constant cost
    (repeating the numerator instead would double the plan at every nested division)."""
    if names(right):
        return den
    anchor = min(names(whole), default=None)
    if anchor is None:  # only numbers: one value divided by one value is a true division
        return den
    return pl.col(anchor).is_null().cast(pl.Float64) * 0.0 + den


def _compile(e: Expr, column: Callable[[str], pl.Expr]) -> pl.Expr:
    def sub(x: Expr) -> pl.Expr:
        return _compile(x, column)

    match e:
        case Num(value):
            return pl.lit(value, dtype=pl.Float64)
        case Bool(value):
            return pl.lit(value, dtype=pl.Boolean)
        case Name(name):
            return column(name).cast(pl.Float64)
        case Unary(op, x):
            return -sub(x) if op == "-" else sub(x)
        case Not(x):
            return ~sub(x)
        case Arith("/", left, right):
            return sub(left) / _as_column(sub(right).replace(0.0, None), right, e)
        case Compare(op, left, right):  # at the decimal a person computes: 0.1 + 0.2 == 0.3
            return _OPERATORS[op](snap(sub(left)), snap(sub(right)))
        case Arith(op, left, right) | Logic(op, left, right):
            return _OPERATORS[op](sub(left), sub(right))
        case Call("abs", (x,)):
            return sub(x).abs()
        case Call(func, args):
            # min/max_horizontal skip nulls; a null becomes the value that wins (-inf for min,
            # +inf for max), and a winning infinity becomes null again.
            win = -math.inf if func == "min" else math.inf
            pick = pl.min_horizontal if func == "min" else pl.max_horizontal
            return pick([sub(a).fill_null(win) for a in args]).replace(win, None)
    raise TypeError(f"not an expression: {e!r}")
