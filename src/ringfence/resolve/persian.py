"""Persian and Arabic-script words into English: a compact hand-made table of the generic
vocabulary of organisation names (بانک bank, ملی national ...; it names no company), then
the multilingual lexicon's entries (:mod:`ringfence.resolve.lexicon`), with and without
the Arabic article."""

from __future__ import annotations

from functools import lru_cache

from ringfence.resolve.gloss import en_phrase, merge_glosses

__all__ = ["fa_gloss"]

_FA: dict[str, tuple[str, ...]] = {
    "بانک": ("bank",),
    "شرکت": ("company",),
    "ملی": ("national",),
    "نفت": ("oil", "petroleum"),
    "نفتی": ("oil", "petroleum"),
    "ایران": ("iran", "iranian"),
    "ایرانی": ("iranian",),
    "صنایع": ("industries",),
    "صنعتی": ("industrial",),
    "صنعت": ("industry",),
    "الکترونیک": ("electronics", "electronic"),
    "هواپیمایی": ("air", "airline", "airlines", "aviation"),
    "جمهوری": ("republic",),
    "اسلامی": ("islamic",),
    "سپاه": ("corps", "army"),
    "پاسداران": ("guard", "guards"),
    "انقلاب": ("revolution", "revolutionary"),
    "گروه": ("group",),
    "ارتباطات": ("communications", "telecommunication", "telecommunications"),
    "مخابرات": ("telecommunication", "telecommunications"),
    "سیار": ("mobile",),
    "همراه": ("mobile",),
    "پخش": ("distribution",),
    "فرآورده": ("products",),
    "پالایش": ("refining",),
    "توسعه": ("development",),
    "صادرات": ("export", "exports"),
    "واردات": ("import", "imports"),
    "مسکن": ("housing",),
    "مرکزی": ("central",),
    "کشاورزی": ("agriculture", "agricultural"),
    "سرمایه": ("investment", "capital"),
    "گذاری": ("investment",),
    "تجارت": ("trade", "commerce"),
    "بازرگانی": ("trading", "commercial"),
    "کشتیرانی": ("shipping",),
    "نفتکش": ("tanker",),
    "خودرو": ("auto", "automobile", "motor"),
    "فولاد": ("steel",),
    "پتروشیمی": ("petrochemical",),
    "مهندسی": ("engineering",),
    "ساختمان": ("construction", "building"),
    "بیمه": ("insurance",),
    "کارگران": ("workers",),
    "رفاه": ("welfare",),
    "دفاع": ("defence", "defense"),
    "وزارت": ("ministry",),
    "سازمان": ("organization", "organisation"),
    "هوایی": ("aerospace", "air"),
    "هوافضا": ("aerospace",),
    "انرژی": ("energy",),
    "اتمی": ("atomic",),
    "برق": ("electricity", "power"),
    "گاز": ("gas",),
    "معدن": ("mining", "mine"),
}


@lru_cache(maxsize=1)
def _fa_folded() -> dict[str, tuple[str, ...]]:
    from ringfence.resolve.text import fold_persian

    return {fold_persian(k): v for k, v in _FA.items()}


def fa_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """English phrases for a (folded) Persian or Arabic word: the glossary's, then the
    multilingual lexicon's (as written, then without the Arabic article)."""
    from ringfence.resolve.lexicon import arabic_keys, lexicon_gloss

    hit = _fa_folded().get(word)
    out = tuple(en_phrase(s) for s in hit) if hit else ()
    for key in arabic_keys(word):
        out = merge_glosses(out, lexicon_gloss(key))
    if not out and len(word) >= 5 and word.endswith("ه"):
        for key in arabic_keys(word[:-1]):  # ة folded onto ه: المقاتلة → مقاتل
            out = merge_glosses(out, lexicon_gloss(key))
    if not out:
        out = _nisba_gloss(word)
    return out


_ADJECTIVE_ENDS = ("n", "an", "ian", "i", "ic", "ese")


def _nisba_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """A relative adjective (nisba: التونسیه, المغربیه, ایرانی) glossed through its
    stem's one-word English: the stem's word with the English adjective endings (Tunisia
    → Tunisian, Morocco → Moroccan, Iraq → Iraqi, Islam → Islamic), as keys."""
    from ringfence.resolve.lexicon import arabic_keys, lexicon_gloss

    for end in ("یه", "ی"):
        if word.endswith(end) and len(word) - len(end) >= 3:
            stem = word[: -len(end)]
            base: tuple[tuple[str, ...], ...] = ()
            for key in arabic_keys(stem):
                base = merge_glosses(base, lexicon_gloss(key))
            words = {p[0] for p in base if len(p) == 1 and len(p[0]) >= 4}
            forms = {w + e for w in words for e in _ADJECTIVE_ENDS}
            forms |= {w[:-1] + e for w in words if w[-1] in "aeiou" for e in ("an", "ian")}
            return tuple((f,) for f in sorted(forms))
    return ()
