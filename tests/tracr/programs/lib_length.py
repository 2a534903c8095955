"""tracr lib: length."""

from tracr.compiler import lib

vocab = {1, 2, 3}
max_seq_len = 5
program = lib.make_length()
