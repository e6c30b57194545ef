"""Open innovation: challenges and proposals, technology offers and expressions of
interest, the disclosure ladder (NDA), the innovation desk, match suggestions and the
funnel from first contact to a recorded outcome. Depends on community, workspaces and
live; none of them imports it."""
