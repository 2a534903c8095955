"""A causal program: the fraction of 'a's so far (tracr's causal evaluator)."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {"a", "b"}
max_seq_len = 6
causal = True
program = lib.make_frac_prevs(rasp.tokens == "a")
