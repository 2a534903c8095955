"""&, |, ~ on Selects (tracr merges those with the same keys and queries into one Select)."""

from tracr.rasp import rasp

vocab = {1, 2, 3}
max_seq_len = 5
lt = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.LT)
eq = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.EQ)
early = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.LT)
mixed = (lt | eq) & ~early
program = rasp.SelectorWidth(mixed).named("leq_not_earlier")
