"""The innovation funnel's pages: one module per area."""
