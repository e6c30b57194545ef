"""Forms of the moderator's pages."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import AuditEntry, Membership, Report, ReviewItem, WatchedWord
from .limits import LengthCounterMixin

__all__ = [
    "AuditFilterForm",
    "MemberActionForm",
    "MemberFilterForm",
    "HeldDecisionForm",
    "SlowModeForm",
    "WatchedWordForm",
    "ModerationSettingsForm",
    "ReportForm",
    "ReviewDecisionForm",
]


class AuditFilterForm(LengthCounterMixin, forms.Form):
    """Filter the audit log by moderator, action and member concerned (GET)."""

    actor = forms.ModelChoiceField(
        label=_("Moderator"), queryset=None, required=False, empty_label=_("Anyone")
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    member = forms.ModelChoiceField(
        label=_("Member concerned"),
        queryset=None,
        required=False,
        empty_label=_("Anyone"),
    )

    def __init__(self, *args, actors, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = actors
        self.fields["member"].queryset = members
        self.fields["action"].choices = [
            ("", _("Any action")),
            *AuditEntry.Action.choices,
        ]
        for name in ("actor", "member"):
            self.fields[name].label_from_instance = lambda user: (
                f"{user.name} (@{user.username})"
            )


class ReportForm(LengthCounterMixin, forms.Form):
    """Why a member reports a post (the service checks everything again)."""

    reason = forms.ChoiceField(
        label=_("Why are you reporting this?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the moderators"),
        required=False,
        max_length=Report._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you choose “Something else”."),
    )


class ReviewDecisionForm(LengthCounterMixin, forms.Form):
    """A moderator's decision on a review item."""

    decision = forms.ChoiceField(
        label=_("What do you decide?"),
        choices=ReviewItem.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("You may not take this decision on this item."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (the author reads it)"),
        required=False,
        max_length=ReviewItem._meta.get_field("reason").max_length,
        widget=forms.TextInput(),
    )
    days = forms.IntegerField(
        label=_("Silence for (days)"), required=False, min_value=1, max_value=365
    )

    def __init__(self, *args, allowed=None, **kwargs):
        """`allowed`: the decisions this moderator may take on this item
        (`permissions.review_decisions_allowed`); only those are offered."""
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["decision"].choices = [
                (value, label)
                for value, label in ReviewItem.Decision.choices
                if value in allowed
            ]

    def clean(self):
        data = super().clean()
        if data.get("decision") == ReviewItem.Decision.SILENCED and not data.get(
            "days"
        ):
            self.add_error("days", _("Say for how many days the author is silenced."))
        return data

    @property
    def until(self):
        days = self.cleaned_data.get("days")
        return timezone.now() + timedelta(days=days) if days else None


class ModerationSettingsForm(forms.Form):
    report_threshold = forms.IntegerField(
        label=_("Reports that hide a post"),
        min_value=1,
        max_value=50,
        help_text=_(
            "When this many members report a post, it is hidden until a moderator "
            "reviews it."
        ),
    )
    slow_mode_default = forms.IntegerField(
        label=_("Slow mode for new threads and rooms (seconds)"),
        required=False,
        min_value=0,
        max_value=86400,
        help_text=_(
            "The fewest seconds between one member's messages in a new thread or room; "
            "0 turns slow mode off. Moderators can change it in each thread or room."
        ),
    )
    first_posts_approval = forms.IntegerField(
        label=_("Approve a new member's first posts"),
        required=False,
        min_value=0,
        max_value=20,
        help_text=_(
            "Until this many of their posts are approved, a new member's posts wait "
            "for a moderator; 0 turns it off."
        ),
    )


class SlowModeForm(forms.Form):
    """A thread's or room's slow mode, from its page (moderators)."""

    seconds = forms.TypedChoiceField(
        label=_("Slow mode"),
        coerce=int,
        choices=[
            (0, _("Off")),
            (10, _("10 seconds")),
            (30, _("30 seconds")),
            (60, _("1 minute")),
            (300, _("5 minutes")),
            (900, _("15 minutes")),
            (3600, _("1 hour")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A value set elsewhere (the community's default) stays choosable.
        current = self.initial.get("seconds")
        choices = self.fields["seconds"].choices
        if current and current not in {value for value, _label in choices}:
            self.fields["seconds"].choices = [
                *choices,
                (current, _("%(seconds)d seconds") % {"seconds": current}),
            ]


class WatchedWordForm(LengthCounterMixin, forms.Form):
    """Add a watched word (the service checks everything again)."""

    word = forms.CharField(
        label=_("Word or phrase"),
        max_length=WatchedWord._meta.get_field("word").max_length,
        help_text=_(
            "Matched as a whole word, whatever the case and accents, also after an "
            "apostrophe (“l'idiota”)."
        ),
    )
    action = forms.ChoiceField(
        label=_("What happens"), choices=WatchedWord.Action.choices
    )
    replacement = forms.CharField(
        label=_("Replacement"),
        required=False,
        max_length=WatchedWord._meta.get_field("replacement").max_length,
        help_text=_("Only for “Replace”: blank writes asterisks."),
    )


class HeldDecisionForm(LengthCounterMixin, forms.Form):
    """Approve or reject a held post."""

    decision = forms.ChoiceField(
        choices=[("release", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(
        label=_("Reason (the author reads it when rejected)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(),
    )


class MemberFilterForm(LengthCounterMixin, forms.Form):
    """Search and filter the moderators' member list (GET)."""

    q = forms.CharField(label=_("Name or username"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)

    STATE_LABELS = {
        "active": _("Active"),
        # A state ("Silenziato"), not the action ("Silenziamento").
        "silenced": pgettext_lazy("member state", "Silenced"),
        "banned": _("Banned"),
        "pending": _("Asked to join"),
        "invited": _("Invited"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Any role")), *Membership.Role.choices]
        self.fields["state"].choices = [
            ("", _("Any state")),
            *self.STATE_LABELS.items(),
        ]


class MemberActionForm(LengthCounterMixin, forms.Form):
    """One action on one member from the member list (the service checks again)."""

    ACTIONS = {
        "warn": _("Warn"),
        "silence": _("Silence"),
        "unsilence": _("End silence"),
        "remove": _("Remove from the community"),
        "ban": _("Ban"),
        "unban": _("Lift ban"),
        "promote": _("Appoint moderator"),
        "demote": _("Remove from moderators"),
        "suspend": _("Suspend account (site-wide)"),
        "unsuspend": _("Lift account suspension"),
    }
    # Actions that need a number of days, and those that need a reason.
    NEED_DAYS = ("silence", "suspend")
    NEED_REASON = ("warn",)

    action = forms.ChoiceField(
        label=_("Action"),
        choices=list(ACTIONS.items()),
        error_messages={"invalid_choice": _("Choose an action from the list.")},
    )
    days = forms.IntegerField(
        label=_("For (days)"), required=False, min_value=1, max_value=365
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=AuditEntry._meta.get_field("reason").max_length,
    )

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in self.NEED_DAYS and not data.get("days"):
            self.add_error("days", _("Say for how many days."))
        if action in self.NEED_REASON and not data.get("reason"):
            self.add_error("reason", _("Write the warning the member will read."))
        return data

    @property
    def until(self):
        days = self.cleaned_data.get("days")
        return timezone.now() + timedelta(days=days) if days else None
