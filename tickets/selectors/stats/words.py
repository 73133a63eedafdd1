"""Recurring problems: the words that come back in the subjects of a service's tickets."""

from __future__ import annotations

import re
from collections import Counter

from django.db import connection, connections, router

from categories.models import Category, Service
from tickets.models import Ticket
from tickets.selectors.stats.periods import Period
from tickets.selectors.stats.results import Word

TOP_WORDS = 15
MIN_WORD_LENGTH = 3

# Words too common to tell one problem from another (French, then English).
_STOPWORD_TEXT = """
    au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même
    mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton
    tu un une vos votre vous c d j l à m n s t y été être avoir fait faire est sont suis plus peut
    pouvez puis sans sous tout tous toute toutes très bien aussi comme car donc alors après avant
    depuis entre encore quand cette cet celui celle chez lors été ai as avons avez ont sera serait
    bonjour merci svp problème problèmes demande besoin impossible
    the a an and or of to in on for with at by from is are was were be been it its this that these
    those as not no can cannot could would should will my your our their me we you they he she him
    her i do does did have has had please help issue problem request hello hi
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def words_of(text: str) -> list[str]:
    """The significant words of a text, lower-cased, in order (stopwords and short words out)."""
    words = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0).replace("’", "'")
        # "l'imprimante" -> "imprimante"
        if "'" in word:
            word = word.rsplit("'", 1)[1]
        if len(word) >= MIN_WORD_LENGTH and word not in STOPWORDS:
            words.append(word)
    return words


_TS_STAT_SQL = """
WITH subjects AS (
    SELECT subject FROM {table}
    WHERE service_id = %(service)s AND created_at >= %(start)s AND created_at < %(end)s
      AND category_id NOT IN (SELECT id FROM {categories} WHERE confidential_scope_id IS NOT NULL)
),
lexemes AS MATERIALIZED (
    SELECT word, ndoc FROM ts_stat(format(
        'SELECT to_tsvector(''french'', subject) FROM {table}
         WHERE service_id = %%L AND created_at >= %%L AND created_at < %%L
           AND category_id NOT IN (
               SELECT id FROM {categories} WHERE confidential_scope_id IS NOT NULL)',
        %(service)s, %(start)s, %(end)s
    ))
    WHERE length(word) >= %(min_length)s AND word !~ '^[0-9]'
    ORDER BY ndoc DESC, word
    LIMIT %(limit)s
),
forms AS MATERIALIZED (
    SELECT (ts_lexize('french_stem', form))[1] AS lexeme, form, count(*) AS uses
    FROM subjects, regexp_split_to_table(lower(subject), %(separators)s) AS form
    WHERE form <> ''
    GROUP BY form
)
SELECT lexemes.word, lexemes.ndoc, (
    SELECT forms.form FROM forms WHERE forms.lexeme = lexemes.word
    ORDER BY forms.uses DESC, length(forms.form), forms.form LIMIT 1
) AS form
FROM lexemes
ORDER BY lexemes.ndoc DESC, lexemes.word
"""
# Word separators for showing a stem as the word people typed (ASCII punctuation, spaces,
# French quotes and apostrophes); letters with accents are never separators.
_SEPARATORS = r"[][\s!-/:-@\\^_`{-~«»’…]+"


def frequent_words(service: Service, period: Period, limit: int = TOP_WORDS) -> list[Word]:
    """The most frequent significant words of the subjects of the tickets created in the period,
    with the number of tickets using each; a word must appear in two tickets at least (one query).

    PostgreSQL counts French stems with ts_stat (so "imprimante" and "imprimantes" are one word,
    shown as the form people typed most); other databases count the words of the subjects,
    fetched in one query, minus a short French and English stopword list. The subjects of
    confidential categories' tickets are left out: the statistics count them, never quote them.
    """
    if connection.vendor == "postgresql":
        return _frequent_words_postgres(service, period, limit)
    subjects = (
        Ticket.objects.filter(
            service=service, created_at__gte=period.start, created_at__lt=period.end
        )
        .exclude(category__confidential_scope__isnull=False)
        .values_list("subject", flat=True)
        .order_by()
    )
    counter: Counter[str] = Counter()
    for subject in subjects:
        counter.update(set(words_of(subject)))
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [Word(word, count) for word, count in ranked[:limit] if count >= 2]


def _frequent_words_postgres(service: Service, period: Period, limit: int) -> list[Word]:
    # Raw SQL takes the database the router gives the page's other reads (the replica on the
    # statistics page when it answers).
    database = connections[router.db_for_read(Ticket)]
    sql = _TS_STAT_SQL.format(
        table=database.ops.quote_name(Ticket._meta.db_table),
        categories=database.ops.quote_name(Category._meta.db_table),
    )
    params = {
        "service": service.pk,
        "start": period.start,
        "end": period.end,
        "min_length": MIN_WORD_LENGTH,
        "separators": _SEPARATORS,
        # Stopwords of our own list are dropped after the query: ask for a few more.
        "limit": limit + 10,
    }
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    words = [Word(form or lexeme, ndoc) for lexeme, ndoc, form in rows if ndoc >= 2]
    return [word for word in words if word.word not in STOPWORDS][:limit]
