"""tpc: the Transformer Program Compiler."""


def __getattr__(name):
    # Lazy: `import tpc` stays light; the compiler (torch) loads on first use.
    if name == "compile_rasp_to_model":
        from tpc.tracr_model import compile_rasp_to_model

        return compile_rasp_to_model
    raise AttributeError(f"module 'tpc' has no attribute {name!r}")
