"""tracr lib: reverse."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {"a", "b", "c"}
max_seq_len = 5
program = lib.make_reverse(rasp.tokens)
