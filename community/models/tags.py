"""Through models that let one model carry several independent tag sets."""

from django.db import models
from taggit.models import TaggedItemBase


class UserExpertise(TaggedItemBase):
    content_object = models.ForeignKey(
        "community.User", on_delete=models.CASCADE, related_name="+"
    )


class OrganisationCompetence(TaggedItemBase):
    content_object = models.ForeignKey(
        "community.Organisation", on_delete=models.CASCADE, related_name="+"
    )


class OrganisationInterest(TaggedItemBase):
    content_object = models.ForeignKey(
        "community.Organisation", on_delete=models.CASCADE, related_name="+"
    )


class CommunityTheme(TaggedItemBase):
    content_object = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="+"
    )


class ThreadTag(TaggedItemBase):
    content_object = models.ForeignKey(
        "community.Thread", on_delete=models.CASCADE, related_name="+"
    )
