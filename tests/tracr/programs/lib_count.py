"""tracr lib: count."""

from tracr.compiler import lib
from tracr.rasp import rasp

vocab = {"a", "b"}
max_seq_len = 6
program = lib.make_count(rasp.tokens, "a")
