"""A message's HTML is converted once and kept (tickets/markdown.py): a ticket page shows the
same messages at every visit, and the HTML depends on the text alone."""

from __future__ import annotations

from tickets import markdown


def test_the_same_text_is_converted_once():
    markdown._render.cache_clear()
    text = "Bonjour,\n\nL'imprimante **B204** ne répond plus."
    first = markdown.render(text)
    second = markdown.render(text)
    assert first == second
    assert "<strong>B204</strong>" in first
    assert markdown._render.cache_info().hits == 1


def test_a_kept_conversion_is_the_sanitized_one():
    hostile = "<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    for _ in range(2):
        html = markdown.render(hostile)
        assert "<script" not in html
        assert "<img" not in html
        assert 'href="javascript:' not in html


def test_a_long_text_is_converted_every_time_and_not_kept():
    markdown._render.cache_clear()
    long_text = "ligne de journal\n" * (markdown.LONGEST_KEPT // 10)
    assert markdown.render(long_text) == markdown.render(long_text)
    assert markdown._render.cache_info().currsize == 0
