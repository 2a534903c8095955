"""tracr lib: sort_unique."""

from tracr.compiler import lib
from tracr.rasp import rasp

vocab = {1, 2, 3, 4, 5}
max_seq_len = 5
program = lib.make_sort_unique(rasp.tokens, rasp.tokens)
