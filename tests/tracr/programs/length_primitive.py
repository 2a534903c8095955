"""tracr's rasp.length (its compiler lacks it; the evaluator has it)."""

from tracr.rasp import rasp

vocab = {"a", "b"}
max_seq_len = 5
program = (rasp.length - rasp.indices).named("remaining")
