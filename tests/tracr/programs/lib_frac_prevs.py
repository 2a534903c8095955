"""tracr lib: frac_prevs."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {"x", "y"}
max_seq_len = 6
program = lib.make_frac_prevs(rasp.tokens == "x")
