"""Site-wide search: an index of threads, posts and room messages, filtered by what each reader may read."""
