"""The innovation funnel's periodic commands."""
