"""The innovation funnel's forms: one module per area."""
