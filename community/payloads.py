"""One function per event payload: plain JSON facts stored in the event log (ids,
states, names), never model instances nor rendered content."""


def user_brief(user):
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "organisation": user.organisation.name if user.organisation_id else None,
    }


def post_data(post, mentions=()):
    """A post event's stored facts: ids only. The text, the author's name and the
    rendered fragments are presented at delivery from the current state
    (`community.live.present_thread_events`), so the log never keeps what a page
    no longer shows (an edited, deleted or hidden post)."""
    return {
        "id": post.pk,
        "thread": post.thread_id,
        "number": post.number,
        "author": post.author_id,
        "client_id": str(post.client_id) if post.client_id else None,
        "mentions": sorted(mentions),
    }


def reaction_data(post, actor, emoji, *, first):
    """A reaction added or taken back: the post (and its author, whom a first
    reaction of `actor` may notify), who and which emoji; the counts are presented
    at delivery from the current state."""
    return {
        "id": post.pk,
        "thread": post.thread_id,
        "author": post.author_id,
        "user": actor.pk,
        "emoji": emoji,
        "first": first,
    }


def promotion_data(post, thread):
    """A room message continued as a discussion: which message, which thread."""
    return {**post_data(post), "promoted_to": thread.pk}


def thread_data(thread):
    return {
        "id": thread.pk,
        "community": thread.community_id,
        "title": thread.title,
        "kind": thread.kind,
        "author": user_brief(thread.author),
        "is_pinned": thread.is_pinned,
        "is_locked": thread.is_locked,
        "post_count": thread.post_count,
        "last_activity_at": thread.last_activity_at.isoformat(),
        "tags": sorted(tag.name for tag in thread.tags.all()),
    }


def community_data(community):
    return {
        "id": community.pk,
        "slug": community.slug,
        "name": community.name,
        "visibility": community.visibility,
        "kind": community.kind,
    }


def membership_data(membership):
    return {
        "community": membership.community_id,
        "user": user_brief(membership.user),
        "role": membership.role,
        "state": membership.state,
    }


def member_listing_data(membership, *, listed):
    """A change to a community's member list, as every reader of it sees it: who, with
    which role, and whether they are listed now (never why they left)."""
    return {
        "community": membership.community_id,
        "user": user_brief(membership.user),
        "role": membership.role,
        "listed": listed,
    }


def organisation_data(organisation):
    return {
        "id": organisation.pk,
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "city": organisation.city,
    }


def affiliation_data(affiliation):
    return {
        "id": affiliation.pk,
        "organisation": affiliation.organisation_id,
        "user": user_brief(affiliation.user),
        "role": affiliation.role,
        "state": affiliation.state,
    }


def profile_data(user, changed):
    """A profile change: who, and which fields changed (values stay on the profile)."""
    return {
        **user_brief(user),
        "has_avatar": bool(user.avatar),
        "language": user.language,
        "changed": sorted(changed),
    }


def community_change_data(community, changed, previous_visibility=None):
    """A community's settings changed: which fields, and the visibility it left."""
    data = {**community_data(community), "changed": sorted(changed)}
    if previous_visibility is not None:
        data["previous_visibility"] = previous_visibility
    return data
