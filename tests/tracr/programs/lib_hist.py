"""tracr lib: hist."""

from tracr.compiler import lib

vocab = {"a", "b", "c"}
max_seq_len = 6
program = lib.make_hist()
