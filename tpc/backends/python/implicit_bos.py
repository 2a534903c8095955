"""The runtime's `encode` for programs whose callers leave BOS out (RASP programs): BOS is
prepended, and messages count the caller's tokens from 0. The backend emits this in place of
runtime.py's."""

from tpc.backends.python.runtime import BOS, N_POSITIONS, VOCAB, identical_tokens


def encode(tokens):
    """The input checked (tokens of VOCAB in type and value), BOS prepended."""
    if not isinstance(tokens, (list, tuple, str)):
        raise TypeError(f"expected a list of tokens, got {type(tokens).__name__}")
    if len(tokens) > N_POSITIONS - 1:
        raise ValueError(f"input has {len(tokens)} tokens after BOS; "
                         f"the program accepts at most {N_POSITIONS - 1}")
    for i, token in enumerate(tokens):
        if identical_tokens(token, BOS):
            raise ValueError(f"BOS {BOS!r} at position {i}: only position 0 holds it")
        if not any(identical_tokens(token, v) for v in VOCAB):
            raise ValueError(f"unknown token {token!r} of type {type(token).__name__} "
                             f"(vocabulary: {' '.join(map(repr, VOCAB))})")
    return [BOS, *tokens]
