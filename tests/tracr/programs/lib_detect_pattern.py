"""tracr lib: detect_pattern."""

from tracr.rasp import rasp
from tracr.compiler import lib

vocab = {"a", "b", "c"}
max_seq_len = 6
program = lib.detect_pattern(rasp.tokens, "abc")
