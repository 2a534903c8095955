"""tpc: the Transformer Program Compiler.

The Python API (docs/api.md): `tpc.load`, `tpc.lift`, `tpc.compile`, `tpc.emit`, `tpc.run`,
`tpc.trace`, `tpc.verify`; and tracr's `tpc.compile_rasp_to_model` (docs/tracr.md). Importing
tpc is cheap: each function imports what it needs when
called (torch only to lift or compile a model).
"""

import sys
import types

from tpc.api import compile, emit, lift, load, run, trace, verify

__all__ = ["compile", "emit", "lift", "load", "run", "trace", "verify"]


class _Package(types.ModuleType):
    """tpc itself. `tpc.lift`, `tpc.verify` and `tpc.load` name both an API function and a
    module of tpc; importing the module (`from tpc.lift import ...`) binds it as an attribute
    of its package, which here would replace the function, so the functions keep the names."""

    def __setattr__(self, name, value):
        if name in __all__ and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    if name == "__version__":  # read on demand: importlib.metadata costs milliseconds
        from importlib.metadata import version

        return version("tpc")
    if name == "compile_rasp_to_model":  # tracr's compiler (docs/tracr.md): torch on first use
        from tpc.tracr_model import compile_rasp_to_model

        return compile_rasp_to_model
    raise AttributeError(f"module 'tpc' has no attribute {name!r}")
