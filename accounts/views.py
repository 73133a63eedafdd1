from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import profile_sections
from accounts.forms import ProfileForm


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The person's own page: their name, their language and the forms other apps add to it
    (the emails they want to receive)."""
    if request.method == "POST":
        for section in profile_sections.sections():
            if request.POST.get("form") == section.name:
                return _save_section(request, section)
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    status = 400 if request.method == "POST" else 200
    return _render(request, form, status=status)


def _save_section(request: HttpRequest, section: profile_sections.Section) -> HttpResponse:
    """Saves one section's form; the name and language are left alone."""
    bound = section.form(request.user, request.POST)
    if bound.is_valid():
        bound.save()
        messages.success(request, section.saved)
        return redirect("accounts:profile")
    return _render(request, ProfileForm(instance=request.user), status=400, invalid=bound)


def _render(
    request: HttpRequest, form: ProfileForm, *, status: int, invalid: ModelForm | None = None
) -> HttpResponse:
    """The page, with each section's form as saved (or `invalid`, shown with its errors)."""
    context: dict[str, object] = {"form": form, "sections": profile_sections.sections()}
    for section in profile_sections.sections():
        posted = request.POST.get("form") == section.name
        context[f"{section.name}_form"] = (
            invalid if posted and invalid is not None else section.form(request.user, None)
        )
    return render(request, "accounts/profile.html", context, status=status)
