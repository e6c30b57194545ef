"""The payloads of workspace events: ids and plain facts, never content a reader
could lose access to (the activity feed reads names and titles when it renders)."""


def workspace_data(workspace):
    return {
        "id": workspace.pk,
        "collaboration_type": workspace.collaboration_type,
        "stage": workspace.stage,
    }


def stage_data(workspace, previous):
    return {"id": workspace.pk, "from": previous, "to": workspace.stage}


def partner_data(partner, previous_role=None):
    data = {
        "id": partner.pk,
        "organisation": partner.organisation_id,
        "role": partner.role,
    }
    if previous_role is not None:
        data["previous_role"] = previous_role
    return data


def participant_data(participant, previous_role=None, reason=None):
    data = {
        "id": participant.pk,
        "user": participant.user_id,
        "organisation": participant.organisation_id,
        "role": participant.role,
    }
    if previous_role is not None:
        data["previous_role"] = previous_role
    if reason is not None:
        # Why the system ended it ("affiliation_ended"), when no lead decided it.
        data["reason"] = reason
    return data


def comment_data(post_id, thread_id, number):
    return {"post": post_id, "thread": thread_id, "number": number}
