"""Lambdas on strings: upper case, membership, concatenation with the position."""

from tracr.rasp import rasp

vocab = {"a", "b", "e"}
max_seq_len = 5
upper = rasp.Map(lambda t: t.upper(), rasp.tokens).named("upper")
vowel = rasp.Map(lambda t: t in "aeiou", rasp.tokens).named("vowel")
program = rasp.SequenceMap(lambda u, v: u + ("!" if v else "?"), upper, vowel).named("marked")
