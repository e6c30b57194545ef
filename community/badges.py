"""Badges beside an author's name in a kind of community, said by the app that runs
that kind (community imports none of them): an introduction's broker, for instance.

`register_author_badges(kind, rule)` from the app's `AppConfig.ready()`; `rule(community,
author_ids)` returns {author id: label} (a lazy translated string) in a fixed number
of queries. `author_badges_attach(thread, posts)` gives each post its `author_badge`
("" for none) before its template is rendered: nothing is asked, and no query made,
for kinds nobody registered (every ordinary community)."""

_RULES = {}


def register_author_badges(kind, rule):
    """Let `rule` badge authors in communities of `kind` (one rule per kind)."""
    _RULES[kind] = rule


def author_badges_attach(thread, posts):
    """Set `author_badge` on each of `posts` of `thread` (those that have one already
    keep it: live updates attach before versioning their fragments)."""
    waiting = [post for post in posts if not hasattr(post, "author_badge")]
    if not waiting:
        return posts
    rule = _RULES.get(thread.community.kind)
    authors = {post.author_id for post in waiting if post.author_id is not None}
    labels = rule(thread.community, authors) if rule is not None and authors else {}
    for post in waiting:
        post.author_badge = labels.get(post.author_id, "")
    return posts
