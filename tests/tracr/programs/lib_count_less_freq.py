"""tracr lib: count_less_freq."""

from tracr.compiler import lib

vocab = {"a", "b", "c"}
max_seq_len = 6
program = lib.make_count_less_freq(2)
