"""Members, organisations, communities, threads, posts and the live engine."""
