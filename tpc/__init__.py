"""tpc: the Transformer Program Compiler."""
