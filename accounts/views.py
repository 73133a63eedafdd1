from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.forms import ProfileForm
from notifications import preferences
from notifications.forms import NotificationPreferenceForm


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The person's own page: their name, their language and the emails they want to receive."""
    if request.method == "POST" and request.POST.get("form") == "notifications":
        return _save_notification_preferences(request)
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        from django.conf import settings

        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    status = 400 if request.method == "POST" else 200
    notifications_form = NotificationPreferenceForm(
        instance=preferences.get_preference(request.user), user=request.user
    )
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "notifications_form": notifications_form},
        status=status,
    )


def _save_notification_preferences(request: HttpRequest) -> HttpResponse:
    notifications_form = NotificationPreferenceForm(
        request.POST, instance=preferences.get_preference(request.user), user=request.user
    )
    if notifications_form.is_valid():
        notifications_form.save()
        messages.success(request, _("Your email preferences have been saved."))
        return redirect("accounts:profile")
    form = ProfileForm(instance=request.user)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "notifications_form": notifications_form},
        status=400,
    )
