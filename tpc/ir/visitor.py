"""One way to dispatch on node classes: `Visitor.visit(node, ...)` calls
`self.visit_<NodeClass>(node, ...)`, as torch.fx's Interpreter and libcst's visitors do.

A visitor handles every node class (`missing()` lists those it lacks; a test checks every
visitor in tpc). One that leaves some classes alone says so by naming a shared method for
them, e.g. `visit_Tokens = visit_Indices = keep`.
"""

from __future__ import annotations

from .nodes import ALL_NODES, Node


class Visitor:
    def visit(self, node: Node, *args, **kwargs):
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise NotImplementedError(f"{type(self).__name__} has no visit_{type(node).__name__}")
        return method(node, *args, **kwargs)

    @classmethod
    def missing(cls) -> list[str]:
        """The node classes this visitor has no method for."""
        return [c.__name__ for c in ALL_NODES if not hasattr(cls, f"visit_{c.__name__}")]
