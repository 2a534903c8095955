"""tracr lib: count."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {"a", "b"}
max_seq_len = 6
program = lib.make_count(rasp.tokens, "a")
