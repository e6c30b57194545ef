"""What the tests and the benchmarks share: factories, roles and the process harness."""
