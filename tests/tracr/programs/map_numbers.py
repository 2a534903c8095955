"""Lambdas on numbers, chained Maps (tracr folds them into one), operators on s-ops."""

from tracr.rasp import rasp

vocab = {0, 1, 2, 3}
max_seq_len = 5
square = rasp.Map(lambda x: x * x + 1, rasp.tokens)
shifted = rasp.Map(lambda x: x % 4, square).named("shifted")
program = (shifted + rasp.indices * 2 - 1).named("mixed")
