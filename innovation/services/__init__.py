"""The innovation funnel's write side: one module per area, one function per action."""
