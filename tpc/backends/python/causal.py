"""The runtime's `select` and `select_not` for causal programs (keys after the query are never
selected); the backend emits these in place of runtime.py's."""


def select(keys, queries, predicate):  # does query q attend to key k (k <= q)
    return [
        [k <= q and predicate(key, query) for k, key in enumerate(keys)]
        for q, query in enumerate(queries)
    ]


def select_not(selector):
    return [[k <= q and not s for k, s in enumerate(row)] for q, row in enumerate(selector)]
