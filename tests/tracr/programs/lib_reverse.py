"""tracr lib: reverse."""

from tracr.compiler import lib
from tracr.rasp import rasp

vocab = {"a", "b", "c"}
max_seq_len = 5
program = lib.make_reverse(rasp.tokens)
