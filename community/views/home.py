"""The home page and the language switch."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.views.decorators.http import require_POST

from ..queries import communities
from ..services import accounts
from .feedback import safe_next


def home(request):
    """Landing page for visitors; the signed-in user's activity for members."""
    context = communities.home_context(request.user)
    return render(request, "community/home.html", context)


@require_POST
def set_language(request):
    """Switch the interface language; it sticks to the session and to the user."""
    language = request.POST.get("language", "")
    response = redirect(safe_next(request, "/"))
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            accounts.user_set_language(actor=request.user, language=language)
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    return response


urlpatterns = [
    path("", home, name="home"),
    path("language/", set_language, name="set-language"),
]
