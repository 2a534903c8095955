"""`#!tpc` pragma lines: mode words (`model`, `causal`, `explicit-bos`) and the domain a file
declares (`#!tpc vocab 'a' 'b'`, `#!tpc max_len 8`), which callers use when they give none."""

from __future__ import annotations

import ast
import re
from fractions import Fraction

import attrs

from tpc.errors import TpcError

PRAGMA = re.compile(r"^[ \t]*#!tpc\b(.*)$", re.M)
MODE_WORDS = frozenset({"model", "causal", "explicit-bos"})
_ITEM = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|\S+""")


@attrs.frozen
class Pragmas:
    words: frozenset
    vocab: tuple | None  # declared tokens, typed as written
    max_len: int | None


def _literal(text: str):
    """A token as a RASP literal: a quoted string, an integer, n/d, True or False."""
    if text[0] in "'\"":
        return ast.literal_eval(text)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+/\d+", text):
        return Fraction(text)
    if text in ("True", "False"):
        return text == "True"
    raise ValueError(text)


def read_pragmas(source: str, filename: str = "<string>") -> Pragmas:
    words: set = set()
    vocab = max_len = None
    for m in PRAGMA.finditer(source):
        line = source.count("\n", 0, m.start()) + 1
        after = m.start(1) - m.start()  # where the words start: "#!tpc" itself holds letters
        col = lambda text: max(m.group(0).find(text, after), after) + 1  # noqa: E731
        body = m.group(1).strip()
        head, _, rest = body.partition(" ")
        if head in ("vocab", "max_len"):
            after += m.group(1).find(head) + len(head)
        if head == "vocab":
            items = _ITEM.findall(rest)
            try:
                vocab = tuple(_literal(t) for t in items)
            except (ValueError, SyntaxError) as err:
                bad = str(err) if str(err) in rest else items[0]
                raise TpcError.at(
                    filename,
                    source,
                    line,
                    col(bad),
                    f"not a token literal: {bad} (quote strings: 'a')",
                ) from None
        elif head == "max_len":
            if not re.fullmatch(r"\d+", rest.strip()):
                raise TpcError.at(
                    filename,
                    source,
                    line,
                    col(rest.strip() or " "),
                    "max_len needs one whole number",
                )
            max_len = int(rest)
        else:
            for w in body.replace(",", " ").split():
                if w not in MODE_WORDS:
                    raise TpcError.at(
                        filename,
                        source,
                        line,
                        col(w),
                        f"unknown pragma '{w}' "
                        f"(known: {', '.join(sorted(MODE_WORDS))}, vocab, max_len)",
                    )
                words.add(w)
    return Pragmas(frozenset(words), vocab, max_len)
