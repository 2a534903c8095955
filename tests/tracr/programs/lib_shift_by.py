"""tracr lib: shift_by."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {"a", "b", "c"}
max_seq_len = 5
program = lib.shift_by(2, rasp.tokens)
