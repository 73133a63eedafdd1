"""Results kept in the cache (helpdesk/caching.py): computed once while the key holds, computed
every time when the cache cannot be read or written, never refused for being unusable."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from helpdesk import caching


@pytest.fixture
def computed():
    calls: list[int] = []

    def compute() -> list[int]:
        calls.append(1)
        return [len(calls)]

    compute.calls = calls
    return compute


def test_a_result_is_computed_once_while_its_key_holds(computed):
    assert caching.kept(lambda: "k", computed, 60) == [1]
    assert caching.kept(lambda: "k", computed, 60) == [1]
    assert caching.kept(lambda: "other", computed, 60) == [2]


def test_a_cache_that_cannot_be_read_or_written_computes_every_time(computed, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    assert caching.kept(lambda: "k", computed, 60) == [1]
    assert caching.kept(lambda: "k", computed, 60) == [2]
    monkeypatch.undo()
    monkeypatch.setattr(cache, "set", broken)
    assert caching.kept(lambda: "k", computed, 60) == [3]
    assert caching.kept(lambda: "k", computed, 60) == [4]


def test_a_key_that_cannot_be_made_computes(computed):
    def no_key() -> str:
        raise ConnectionError("cache down")

    assert caching.kept(no_key, computed, 60) == [1]


def test_what_is_not_usable_is_computed_again(computed):
    cache.set("k", "kept by another version of the code")
    as_list = caching.kept(lambda: "k", computed, 60, usable=lambda found: isinstance(found, list))
    assert as_list == [1]
    assert cache.get("k") == [1]
