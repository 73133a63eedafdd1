"""Forms other apps add to the person's profile page, below the name and language.

An app registers a `Section` from its AppConfig.ready(): accounts knows no app above it, and the
profile page (accounts.views.profile) shows and saves every registered section the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.utils.functional import Promise

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Section:
    """A form of the profile page.

    `name` is the value of the form's hidden `form` field (what a post to the page says it
    saves) and the form's name in the template's context (`<name>_form`); `template` is included
    at the end of the page; `form(user, data)` builds the form, bound when `data` is given;
    `saved` is the message shown once it is saved.
    """

    name: str
    template: str
    form: Callable[[User, dict | None], forms.ModelForm]
    saved: str | Promise


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    _sections[section.name] = section


def sections() -> list[Section]:
    return list(_sections.values())
