"""tracr lib: length."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {1, 2, 3}
max_seq_len = 5
program = lib.make_length()
