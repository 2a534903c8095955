"""A learned word embedding variable (a Map of the tokens) as its word clusters.

A text model's embedding table maps up to 10,000 words to a few values. Printed by word it
would bury the program; printed by value it is what a reader wants to see: which words the
model put together. The clusters go to a data section at the end of the module (after `run`),
so the program reads first; the module stays one standard-library file that `tpc run` and
`import` use as they are (a JSON file beside it could be lost or mismatched when copied).
"""

from __future__ import annotations

import libcst as cst
from libcst.helpers import parse_template_statement

from tpc.backends.python.layout import WIDTH, assign, container, value
from tpc.ir import Map, sort_key


def embedding_function(em, node: Map) -> str:
    """`fn(token) -> value`, reading `{NAME}_OF` (word -> value) that the data section builds
    from `{NAME}` (value -> its words)."""
    fn = em.names.fresh(f"{node.name}_fn")
    param = em.params([node.x])[0]
    groups: dict = {}
    for word in em.values(node.x):
        groups.setdefault(sort_key(node.table[word]), (node.table[word], []))[1].append(word)
    clusters = em.names.fresh(node.name.upper())
    by_word = em.names.fresh(f"{clusters}_OF")
    code = cst.Module([]).code_for_node
    entries = [
        f"    {code(value(v))}: "
        f"{code(container('tuple', [value(w) for w in words], 1, WIDTH - 12))},\n"
        for _, (v, words) in sorted(groups.items())
    ]  # one value per line: a reader scans down the values
    table = cst.parse_expression("{\n" + "".join(entries) + "}")
    comment = cst.EmptyLine(
        comment=cst.Comment(
            f"# {clusters}: each value of {em.origin.get(node.name, node.name)} "
            "and the words that take it."
        )
    )
    em.data += [
        assign(clusters, table, leading_lines=[cst.EmptyLine(), cst.EmptyLine(), comment]),
        parse_template_statement(
            f"{by_word} = {{word: v for v, words in {clusters}.items() for word in words}}\n"
        ),
    ]
    em.function(
        fn,
        [param],
        [parse_template_statement(f"return {by_word}[{param}]\n")],
        f"The value of {em.origin.get(node.name, node.name)} for a word "
        f"(clusters: {clusters}, at the end).",
    )
    return fn
