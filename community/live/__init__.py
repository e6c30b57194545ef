"""The real-time engine: the Event log, emit-after-commit and stream kinds."""
