"""Fresh names: one maker for the IR builder, the frontend and both printers."""

from __future__ import annotations

import re
from typing import Container, Iterable


def lifted_name(variable: str) -> str:
    """IR name of a model variable: L1.cat_head2 -> l1_cat_head2, positions -> indices."""
    return {"positions": "indices"}.get(variable, variable.replace(".", "_").lower())


class FreshNames:
    """Unique identifiers made from stems.

    A stem has its non-word characters replaced by "_" (`empty` if nothing is left, a leading
    digit gets `digit_prefix`; a stem in `keywords` gets a trailing "_"). The name is then the
    stem itself, else stem_2, stem_3, ... (with `numbered`, always numbered from stem_1), the first
    neither made here before, in `taken`, nor in `live` (a container read on every call, such as
    a builder's node names).
    """

    def __init__(
        self,
        taken: Iterable[str] = (),
        *,
        live: Container[str] = (),
        numbered: bool = False,
        empty: str = "v",
        digit_prefix: str = "_",
        keywords: Container[str] = (),
    ):
        self.taken = set(taken)
        self.live = live
        self.numbered = numbered
        self.empty, self.digit_prefix, self.keywords = empty, digit_prefix, keywords
        # Last number given per stem: names are only ever added, so the search resumes there
        # (the same names as searching from 1, without quadratic time on long programs).
        self._last: dict[str, int] = {}

    def clean(self, stem: str) -> str:
        """`stem` as an identifier, before numbering."""
        base = re.sub(r"\W", "_", stem) or self.empty
        if base[0].isdigit():
            base = self.digit_prefix + base
        if base in self.keywords:
            base += "_"
        return base

    def fresh(self, stem: str) -> str:
        base = self.clean(stem)
        i = self._last.get(base, 0)
        while True:
            i += 1
            name = f"{base}_{i}" if i > 1 or self.numbered else base
            if name not in self.taken and name not in self.live:
                break
        self._last[base] = i
        self.taken.add(name)
        return name

    def __contains__(self, name: str) -> bool:
        return name in self.taken
