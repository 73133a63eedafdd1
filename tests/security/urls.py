"""Every URL of the project, read from the URLconf, with the arguments to call it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full name (namespace:name), its route text and argument names."""

    name: str
    route: str
    arguments: tuple[str, ...]

    @property
    def group(self) -> str:
        """'admin' (Django's admin), 'allauth' (sign-in pages) or 'project' (the helpdesk's)."""
        if self.route.startswith("admin/"):
            return "admin"
        if self.route.startswith("accounts/"):
            return "allauth"
        return "project"


def _walk(
    patterns: list, prefix: str = "", namespace: str = "", outer: tuple[str, ...] = ()
) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            arguments = outer + tuple(entry.pattern.regex.groupindex)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, arguments)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            arguments = outer + tuple(entry.pattern.regex.groupindex)
            yield Route(name=name, route=prefix + str(entry.pattern), arguments=arguments)


def all_routes() -> list[Route]:
    """Every pattern of the URLconf, admin and allauth included, in URLconf order."""
    return list(_walk(get_resolver().url_patterns))


def admin_object_id(name: str) -> str:
    """For "admin:<app>_<model>_<view>": the pk of an object of that model, or "0"."""
    label = name.removeprefix("admin:").rsplit("_", 1)[0]
    for model in apps.get_models():
        if f"{model._meta.app_label}_{model._meta.model_name}" == label:
            obj = model._default_manager.order_by("pk").first()
            return str(obj.pk) if obj is not None else "0"
    return "0"
