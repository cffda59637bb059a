"""Searching the help centre: accent- and case-insensitive, titles first.

The articles are a few dozen texts held in memory, so the search is plain Python over
their translated words. A query word matches a word of an article when one starts with
the other's stem (its first six letters), so "partager" finds "partage" and "médecins"
finds "médecin". Little words ("my", "le", "comment"…) are ignored. An article is kept
when it matches at least one meaningful word; ranking puts articles whose title matches
more words first, then those matching more words anywhere, then the help centre's order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils import translation

from . import articles

MAX_QUERY = 200
STEM = 6
# Letters and digits of any script (Arabic, Turkish's ı), once accents are gone.
_WORD = re.compile(r"[^\W_]+")

# Words that say nothing about the subject, in the languages Carnet speaks (normalised).
STOP_WORDS = frozenset(
    """
    a an and are as at be by can do does for from how i if in is it me my of on or so the
    to what when where who why with you your
    au aux avec ce ces comment dans de des du elle en est et il je la le les leur ma mes
    moi mon ne ni nos notre on ou par pas peut pour quand que quel quelle qui sa se ses son
    sur ta te tes ton tu un une vos votre
    al como con del el las los mi mis para por su sus una y
    com da das do dos em meu minha nao os seu sua um uma
    bir bu da de icin ile mi mı nasıl ne ve
    الى عن على في كيف ما من هل
    """.split()
)


def normalise(text: str) -> str:
    """Lower case, without accents: "Médecin Traitant" → "medecin traitant"."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def query_terms(query: str) -> list[str]:
    seen: dict[str, None] = {}
    for w in words((query or "")[:MAX_QUERY]):
        if w not in STOP_WORDS and (len(w) > 1 or w.isdigit()):
            seen.setdefault(w, None)
    return list(seen)


def _matches(term: str, vocabulary: set[str]) -> bool:
    # Forward: the word starts with the term's stem ("medecin" finds "medecins").
    # Backward: the term is the word with a short ending ("cartes" finds "carte").
    stem = term[:STEM]
    return any(
        w.startswith(stem) or (len(w) >= 4 and term.startswith(w) and len(term) - len(w) <= 2)
        for w in vocabulary
    )


@dataclass(frozen=True)
class Result:
    article: articles.Article
    title_hits: int
    hits: int


def _texts(article: articles.Article) -> tuple[str, str]:
    title = str(article.title)
    rest = " ".join(
        [*map(str, article.paragraphs), *(str(link.label) for link in article.links)]
        + [str(article.keywords), str(articles.TOPIC_TITLES.get(article.topic, ""))]
    )
    return title, rest


def search(query: str) -> list[Result]:
    """The articles matching ``query`` in the active language (and in English and French,
    the words a person in France also meets), best first."""
    terms = query_terms(query)
    if not terms:
        return []
    active = translation.get_language() or "fr"
    results = []
    for order, article in enumerate(articles.all_articles()):
        title, rest = _texts(article)
        for other in ("en", "fr"):
            if not active.startswith(other):
                # English and French words find the article too, whatever the page's language.
                with translation.override(other):
                    more_title, more_rest = _texts(article)
                title, rest = f"{title} {more_title}", f"{rest} {more_title} {more_rest}"
        title_words = set(words(title))
        all_words = title_words | set(words(rest))
        title_hits = sum(1 for t in terms if _matches(t, title_words))
        hits = sum(1 for t in terms if _matches(t, all_words))
        if hits:
            results.append((-title_hits, -hits, order, Result(article, title_hits, hits)))
    results.sort(key=lambda r: r[:3])
    return [r[3] for r in results]
