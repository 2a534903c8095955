"""A RASP source file: read once, its `#!tpc` pragmas parsed once, its domain decided once
(by `tpc.frontend.rasp_domain`, with the defaults the caller's `Choices` give)."""

from __future__ import annotations

import attrs

from tpc.ir import DEFAULT_MAX_LEN, Domain, Program
from tpc.load import DEFAULT_VOCAB, MAX_LEN_LIMIT, check_max_len, parse_tokens, read_source


def _tokens(vocab) -> tuple | None:
    """A vocabulary as given: tokens, or text split like `--vocab` ("1 2 3")."""
    if vocab is None:
        return None
    return tuple(parse_tokens(vocab) if isinstance(vocab, str) else vocab)


@attrs.frozen
class Choices:
    """What a caller fixes about the program an artifact loads as.

    RASP source: `vocab`, `max_len`, `causal` (None: the file's `#!tpc` line, else
    `default_vocab`, `default_max_len`, not causal); a max_len beyond `limit` is an error.
    A model: `level`, the optimization level of its lifted program. Other kinds fix their
    own domain and ignore these."""

    vocab: tuple | None = attrs.field(default=None, converter=_tokens)
    max_len: int | None = None
    causal: bool | None = None
    default_vocab: tuple = tuple(parse_tokens(DEFAULT_VOCAB))
    default_max_len: int = DEFAULT_MAX_LEN
    limit: int = MAX_LEN_LIMIT
    level: int = 0

    @classmethod
    def for_input(
        cls,
        tokens: list,
        vocab=None,
        max_len: int | None = None,
        limit: int = MAX_LEN_LIMIT,
        level: int = 0,
    ) -> "Choices":
        """The choices for running one input: a source that declares no vocabulary takes the
        input's tokens (BOS left out), and its max_len is at least the input's length."""
        from tpc.ir import BOS

        seen = tuple(dict.fromkeys(t for t in tokens if t != BOS))
        return cls(
            vocab,
            max_len,
            default_vocab=seen,
            default_max_len=max(DEFAULT_MAX_LEN, len(tokens)),
            limit=limit,
            level=level,
        )


@attrs.frozen
class RaspSource:
    """A .rasp file's text and pragmas (tpc.frontend.Pragmas)."""

    path: str
    text: str
    pragmas: object

    @classmethod
    def read(cls, path) -> "RaspSource":
        from tpc.frontend import read_pragmas  # lazy: lark and the frontend, RASP source only

        text = read_source(str(path))
        return cls(str(path), text, read_pragmas(text, str(path)))

    def domain(self, choices: Choices = Choices()) -> Domain:
        """The domain this source is translated over under `choices`."""
        from tpc.frontend import rasp_domain

        domain = rasp_domain(
            self.pragmas,
            self.path,
            choices.vocab,
            choices.max_len,
            choices.causal,
            default_vocab=choices.default_vocab,
            default_max_len=choices.default_max_len,
        )
        check_max_len(domain.max_len, self.path, choices.limit)
        return domain

    def translate(self, domain: Domain):
        """(the IR program over `domain`, its RunChecks: RASP's run-time errors on an input)."""
        from tpc.frontend import translate_rasp

        return translate_rasp(self.text, self.path, domain, self.pragmas)

    def program(self, choices: Choices = Choices()) -> Program:
        return self.translate(self.domain(choices))[0]

    def run(self, domain: Domain, tokens: list) -> dict[str, list]:
        """The outputs on one input, built for that input alone (tpc.frontend.witness)."""
        from tpc.frontend import run_rasp

        return run_rasp(self.text, self.path, domain, tokens, self.pragmas)
