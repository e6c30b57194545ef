"""Forms for tasks and milestones: parse input; the services decide and validate."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from community.forms.limits import LengthCounterMixin

from ..models import Milestone, Task
from ..services.tasks import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH

Status = Task.Status


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AssigneeField(forms.ModelChoiceField):
    """One of the workspace's participants, shown with their organisation."""

    default_error_messages = {
        "invalid_choice": _(
            "Choose one of the workspace's participants: only they can be assigned "
            "tasks."
        ),
    }

    def label_from_instance(self, user):
        name = user.name or user.username
        return f"{name} ({user.organisation.name})" if user.organisation_id else name


class MilestoneChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("Choose one of this workspace's milestones."),
    }

    def label_from_instance(self, milestone):
        return f"{milestone.title} ({milestone.due_date:%Y-%m-%d})"


class _LimitsMixin(LengthCounterMixin):
    def length_limits(self):
        return {"title": TITLE_MAX_LENGTH, "description": DESCRIPTION_MAX_LENGTH}


class TaskForm(_LimitsMixin, forms.Form):
    title = forms.CharField(label=_("Title"))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    assignee = AssigneeField(
        label=_("Assignee"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    milestone = MilestoneChoiceField(
        label=_("Milestone"),
        queryset=Milestone.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    status = forms.ChoiceField(
        label=_("Column"), choices=Status.choices, initial=Status.TODO
    )

    def __init__(self, *args, workspace, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(workspace_participations__workspace=workspace)
            .select_related("organisation")
            .order_by("display_name", "username")
        )
        self.fields["milestone"].queryset = Milestone.objects.filter(
            workspace=workspace
        ).order_by("due_date", "pk")
        if not creating:
            # The column changes by moving the card.
            del self.fields["status"]


class MilestoneForm(_LimitsMixin, forms.Form):
    title = forms.CharField(label=_("Title"))
    due_date = forms.DateField(label=_("Date"), widget=DateInput)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MoveForm(forms.Form):
    """A move of a card: its column, its place there (empty: the end) and the
    revision of the task the page showed (empty: no staleness check)."""

    status = forms.ChoiceField(choices=Status.choices)
    position = forms.IntegerField(min_value=0, required=False)
    revision = forms.IntegerField(min_value=1, required=False)


class TaskFilterForm(LengthCounterMixin, forms.Form):
    """The list's filters and sort; unknown values fall back to "all"."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(Status.choices),
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    milestone = forms.ChoiceField(label=_("Milestone"), required=False)
    order = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("due", _("Due date, soonest first")),
            ("-due", _("Due date, latest first")),
            ("status", _("Status")),
            ("assignee", _("Assignee")),
            ("title", _("Title")),
        ],
    )

    def __init__(self, *args, participants, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Anyone")), ("none", _("Nobody"))] + [
            (str(p.user_id), p.user.name or p.user.username) for p in participants
        ]
        self.fields["milestone"].choices = [("", _("Any")), ("none", _("None"))] + [
            (str(m.pk), m.title) for m in milestones
        ]

    def filters(self):
        """The valid filters; an invalid one is ignored rather than emptying the list."""
        self.is_valid()
        return {
            name: self.cleaned_data.get(name) or ""
            for name in ("status", "assignee", "milestone", "order")
            if name not in self.errors
        }


class DiscussionForm(LengthCounterMixin, forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def length_limits(self):
        return {"body": settings.POST_BODY_MAX_LENGTH}
