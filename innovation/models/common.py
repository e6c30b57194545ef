"""Vocabularies shared by challenges, offers and the funnel."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItemBase


class Sector(models.TextChoices):
    """Macro sectors of the regional economy (for filters, matching and the dashboard)."""

    MANUFACTURING = "manufacturing", _("Advanced manufacturing")
    AGRIFOOD = "agrifood", _("Agri-food")
    LIFE_SCIENCES = "life_sciences", _("Life sciences and health")
    ENERGY = "energy", _("Energy and environment")
    MOBILITY = "mobility", _("Mobility and logistics")
    ICT = "ict", _("ICT and digital")
    MATERIALS = "materials", _("Materials and chemistry")
    FASHION_DESIGN = "fashion_design", _("Fashion and design")
    CONSTRUCTION = "construction", _("Construction and smart cities")
    AEROSPACE = "aerospace", _("Aerospace")


class CollaborationType(models.TextChoices):
    """What kind of agreement the parties look for."""

    LICENCE = "licence", _("Licence")
    JOINT_DEVELOPMENT = "joint_development", _("Joint development")
    RD_CONTRACT = "rd_contract", _("R&D contract")
    SPIN_OFF = "spin_off", _("Spin-off")
    SUPPLY = "supply", _("Supply agreement")
    JOINT_VENTURE = "joint_venture", _("Joint venture")


class ChoiceList(models.CharField):
    """Several codes of one `choices` vocabulary, stored as ",code,code," so that one
    can be filtered with `field__contains=",code,"` on SQLite and PostgreSQL alike.
    The Python value is a list of codes, in the vocabulary's order."""

    def __init__(self, *args, vocabulary=None, **kwargs):
        self.vocabulary = vocabulary
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["vocabulary"] = self.vocabulary
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("max_length") == 200:
            del kwargs["max_length"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def _codes(self, value):
        if value in (None, ""):
            return []
        if isinstance(value, str):
            value = [code for code in value.split(",") if code]
        order = {code: index for index, code in enumerate(self.vocabulary.values)}
        return sorted(set(value), key=lambda code: order.get(code, len(order)))

    def from_db_value(self, value, expression, connection):
        return self._codes(value)

    def to_python(self, value):
        return self._codes(value)

    def get_prep_value(self, value):
        if isinstance(value, str) and value.startswith(","):
            return value  # a lookup's own pattern
        codes = self._codes(value)
        return f",{','.join(codes)}," if codes else ""

    def formfield(self, **kwargs):
        from django import forms

        return forms.MultipleChoiceField(
            choices=self.vocabulary.choices,
            required=not self.blank,
            label=self.verbose_name,
            widget=forms.CheckboxSelectMultiple,
            **{k: v for k, v in kwargs.items() if k in ("help_text",)},
        )

    def validate(self, value, model_instance):
        unknown = set(self._codes(value)) - set(self.vocabulary.values)
        if unknown:
            from django.core.exceptions import ValidationError

            raise ValidationError(
                _("Unknown choice: %(codes)s."),
                params={"codes": ", ".join(sorted(unknown))},
            )
        if not self.blank and not self._codes(value):
            from django.core.exceptions import ValidationError

            raise ValidationError(self.error_messages["blank"], code="blank")

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))


class ChallengeTag(TaggedItemBase):
    content_object = models.ForeignKey(
        "innovation.Challenge", on_delete=models.CASCADE, related_name="+"
    )


class OfferTag(TaggedItemBase):
    content_object = models.ForeignKey(
        "innovation.TechnologyOffer", on_delete=models.CASCADE, related_name="+"
    )


class FundingCallTag(TaggedItemBase):
    content_object = models.ForeignKey(
        "innovation.FundingCall", on_delete=models.CASCADE, related_name="+"
    )
