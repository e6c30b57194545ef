"""The real-time engine, free of any domain: the event log with a gap-free sequence per
stream, recording inside the writer's transaction and broadcasting after commit, the
per-process hub, the /ws/ consumer, catch-up, presence and pruning.

Apps plug in through three registries: stream kinds (who may follow `<kind>:<id>`,
`live.streams`), client operations (`post`, `typing`, ... in `live.operations`) and
after-commit subscribers and presenters (`live.events`). This package imports no
other project app.
"""
