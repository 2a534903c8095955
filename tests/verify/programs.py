"""Small IR programs that several verify tests check."""

from tpc.ir import Builder, Domain


def hist_program(vocab="abc", max_len=4, cap_token=None, implicit_bos=True):
    """How many tokens equal mine; with `cap_token`, counts at that token are capped at 2."""
    b = Builder(Domain(vocab=vocab, max_len=max_len, implicit_bos=implicit_bos))
    t = b.tokens()
    hist = b.selector_width(b.select(t, t, "=="))
    if cap_token is not None:
        hist = b.sequence_map(lambda n, x: min(n, 2) if x == cap_token else n, hist, t)
    b.output("hist", hist)
    return b.build()
