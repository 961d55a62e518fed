"""Text helpers: label folding (ingest, codebook), personal-data redaction (ingest), and
text from data files made inert for the MyST pages the build writes.

Redaction (``redact``, applied to every free-text comment at ingest) removes e-mail
addresses, IP addresses and phone numbers, and leaves the many numbers that only look
like them: years and year ranges, dates, amounts, percentages, article, law, version and
SDG-target numbers, population counts. It runs four passes, in this order; ``IPV6``,
``IPV4`` and ``PHONE`` find candidates, which ``_ipv6``, ``_ipv4`` and ``_phone`` judge:

1. ``EMAIL``: ``local@domain.tld``. A match may only start where the local part starts,
   so a long unbroken token costs one scan, not one per character.
2. ``IPV6``: the eight-group form and the ``::`` compressed forms (with an IPv4 tail).
   A candidate is removed when it has at least two groups and one digit (``fe80::1``,
   not ``::`` or ``cafe::``).
3. ``IPV4``: four dot-separated octets 0-255 without leading zeros, not part of a longer
   dotted number (``1.2.3.4.5``, ``1.000.000.000`` are not addresses). A dotted quad is
   removed *unless the word right before it is a version or reference word*: ``v``
   (lower case, ``v4.0.2.1``, ``v. 4.0.2.1``; an upper-case ``V`` only when attached, so
   that the initial in ``Marie V. 10.1.2.3`` does not count), ``version``/``versión``/
   ``release``/``build``/``rev``, ``art.``/``article``/``artículo``/``§``/``alinéa``/
   ``párrafo``, ``loi``/``ley``/``law``/``décret``/``decreto``/``règlement``/``regulation``...,
   ``ODD``/``ODS``/``SDG``/``OMD``/``MDG``, ``cible``/``target``/``meta``/``indicateur``...,
   ``ISO``/``RFC``/``ISBN``/``DOI``. Between that word and the number may come an initial
   and a number sign (``article L. ``, ``décret n° ``); an elided article is ignored
   (``l'article``); case does not matter. So ``version 4.0.2.1``, ``v4.0.2.1`` and
   ``Art. 4.2.1.3`` stay, ``IP 10.1.2.3`` goes. Without such a word a bare ``4.0.2.1`` is
   taken for an address: recall comes first. Words that also name a place one may phone
   (``annexe``, ``section``, ``sección``) are not reference words.
4. ``PHONE`` finds *number runs*: digits joined by single separators (space, no-break
   space, ``.``, ``-``, ``/``, ``,``) or parenthesised area codes (``(555)``, ``(0)``), with
   an optional leading ``+``, starting at a token start. Runs with 8 digits or more are
   judged:

   a. kept whole when a unit or currency follows it (``habitants``, ``people``,
      ``personas``, ``euros``, ``USD``, ``€``, ``%``, ``millions``, ``millones``,
      ``billion``..., also after ``de``/``d'``/``of``), when a currency precedes it
      (``$``, ``US$``, ``€``, ``EUR``...), or when a reference word (as for IPv4, without
      ``v``) precedes it: ``Real Decreto 1234/2015``, ``décret n° 2015-1234``;
   b. otherwise split at its spaces into tokens. Tokens that are never phone material stay:
      dates (``12.05.2022``, ``24/02/2022``, ``2022-05-12``, day and month checked), years
      joined by ``-``, ``/`` or ``,`` (``2015-2019``, ``2020/2021``), comma-grouped amounts
      (``1,200,000``), time ranges (``08.30-17.30``), and a year opening a stretch
      (``2019 45 000``, unless the stretch is just two 4-digit groups, ``2012 3456``);
   c. each remaining stretch of tokens is a phone number when it starts with ``+`` and has
      8+ digits, or has 8+ digits and is not a round amount (thousand groups ending in
      ``000``: ``10 000 000``, ``2.500.000``), an amount with decimals (``1.234.567,89``)
      or a rising range of amounts (``10 000-20 000``).

   So every national format (``01 23 45 67 89``, ``0612345678``, ``(555) 123-4567``,
   ``912 34 56 78``, ``77 123 45 67``, ``55 1234 5678``, ``70 12 34 56``) and every
   ``+`` format goes, while numbers with fewer than 8 digits (``1.000.000``,
   ``120 000``, ``ODD 11.3.1``, ``L. 1115-1``, ``Ley 27/2013``) never reach the judge.
   Where a bare digit group could be both, it goes: ``912 345 678`` (no unit, not round)
   is taken for a Spanish phone number, as is any non-round 8+ digit number
   without a unit. A unit protects the whole run, even a phone number written right
   before a count (``612 345 678 120 000 habitantes`` would stay): such glued runs are
   left to the reviewer.

Every pattern is linear in the text's length: matches start only at token starts
(look-behinds), repetitions that could backtrack are possessive (``*+``, ``++``), and the
look-arounds are bounded, so a 1 MB token of letters or digits redacts in well under a second.
``redact_name`` removes the writer's own name (full, or any part of 3+ letters).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pandas as pd

from draftbook.model.text import fold, per_distinct, unhidden

EMAIL = re.compile(r"(?<![\w.+-])(?<!\w')[\w.+-][\w.+'-]*+@[\w-]++(?:\.[\w-]++)++")
# IPV4, IPV6 and PHONE begin with a character class, not a look-behind: re then skips ahead to the
# next candidate character at C speed instead of trying the whole pattern at every position. The
# look-behinds that follow look back past that first character (the "." in them stands for it), and
# the look-ahead inside ``(?<=(?=...).)`` checks the whole address or run from that first character.
_HEX = r"[0-9A-Fa-f]{1,4}"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_QUAD = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_IPV6_FORMS = (
    rf"(?:{_HEX}:){{7}}{_HEX}"
    rf"|(?:{_HEX}:){{6}}{_QUAD}"
    rf"|(?:{_HEX}:){{1,6}}(?::{_HEX}){{1,6}}(?::{_QUAD})?"
    rf"|(?:{_HEX}:){{1,6}}:(?:{_HEX}:){{0,5}}{_QUAD}"
    rf"|(?:{_HEX}:){{1,7}}:"
    rf"|:(?::{_HEX}){{1,7}}(?::{_QUAD})?"
    rf"|::{_QUAD}"
)
IPV6 = re.compile(
    r"[0-9A-Fa-f:](?<![\w:.].)"  # a first hex digit or colon, not inside a word or an address
    rf"(?<=(?=(?:{_IPV6_FORMS})(?![\w:]|\.\d)).)"  # from there: a full or compressed address, and its end
    r"(?:[0-9A-Fa-f:]|\.(?=\d))*+"  # the rest of it (the address ends where these characters do)
)
IPV4 = re.compile(
    r"\d(?<![\d.].)"  # a first digit, not inside a number
    rf"(?<=(?={_QUAD}(?!\w|\.\d)).)"  # from there: four octets 0-255, not part of a longer dotted number
    r"\d{0,2}(?:\.\d{1,3}){3}"  # the rest of them
)
_SEPARATOR = "[ \u00a0\u202f.\\-/,]"
PHONE = re.compile(
    r"[+(\d](?<!\w.)(?<!\d[.,/-].)"  # +, ( or a digit starting a token, not inside a word or a dotted number
    r"(?<=(?=\+? ?\(?\d(?:[ \u00a0\u202f.\-/,]?[()]?[ .\-]?\d){7}).)"  # 8+ digits ahead: most numbers stop here
    r"(?:(?<=\+) ?(?:\(\d{1,5}\)[ .\-]?)?\d|(?<=\()\d{1,5}\)[ .\-]?\d|(?<=\d))"  # the rest of +33, (555) or 1
    rf"(?:\d|{_SEPARATOR}(?=\d)|[ .\-]?\(\d{{1,5}}\)[ .\-]?(?=\d))*+"  # digits, single separators, (0)
)
REDACTED = {
    "email": "[e-mail removed]",
    "phone": "[phone removed]",
    "ip": "[address removed]",
    "name": "[name removed]",
}


# Words after which a number is a reference (article, law, target, version), not personal data. Words
# that also name a place one may phone are left out: l'annexe (a branch office), la section, la sección.
_REFERENCE_WORDS = (
    r"art\.|arts\.|articles?|art[ií]culos?|§|al\.|alin[ée]a|p[áa]rrafos?|paragraphe|paragraph"
    r"|lois?|leyes|ley|laws?|d[ée]crets?|decretos?|decree|arr[êe]t[ée]|ordonnance|ordenanza|ordinance"
    r"|circulaire|directive|directiva|r[èe]glement|reglamento|regulation|r[ée]solution|resoluci[oó]n"
    r"|d[ée]lib[ée]ration|norme|norma|iso|rfc|isbn|issn|doi"
    r"|odd|ods|sdg|omd|mdg|cible|target|meta|indicateur|indicator|indicador"
    r"|versions?|versi[oó]n|vers[ãa]o|release|build|rev|r[ée]vision|revisi[oó]n"
)
_REFERENCE_WORD = re.compile(_REFERENCE_WORDS, re.IGNORECASE)
_NUMBER_SIGN = re.compile(r"n[°ºo]\.?|n\.|n[úu]m(?:ero)?\.?|num[ée]ro|number|nr\.?|#", re.IGNORECASE)
_INITIAL = re.compile(r"[A-Z]\.")  # article L. 1115-1
_OPENING = "([{«\"'“‘¿¡"
_CURRENCY_SIGNS = ("$", "€", "£", "¥", "₦", "₹")
_CURRENCY_CODES = frozenset(
    {"USD", "EUR", "GBP", "MXN", "COP", "ARS", "CLP", "PEN", "BRL", "FCFA", "CFA", "XOF", "XAF", "MAD", "TND", "DZD"}
    | {"CAD", "AUD", "CHF"}
)
_UNIT_WORDS = (
    r"habitants?|inhabitants?|habitantes?|hab\.|residents?|r[ée]sidents?|residentes?"
    r"|people|persons?|personas?|personnes?|households?|m[ée]nages?|foyers?|hogares?|famil(?:y|ies|les?|ias?)"
    r"|jobs?|emplois?|empleos?|b[ée]n[ée]ficiaires?|beneficiar(?:y|ies|ios?|ias?)|participant(?:e?s)?|participantes?"
    r"|members?|membres?|miembros?|students?|[ée]l[èe]ves?|[ée]tudiant(?:e?s)?|estudiantes?|alumn[oa]s?"
    r"|children|enfants?|ni[ñn][oa]s?|women|femmes?|mujeres|men|hommes?|hombres|youths?|jeunes|j[óo]venes"
    r"|communes?|municipalit(?:y|ies|[ée]s?)|municipios?|cities|villes?|ciudades|voix|votes?|votos?"
    r"|signatures?|firmas?|visitors?|visiteurs?|visitantes?"
    r"|euros?|dollars?|d[óo]lares|pesos?|francs?|fcfa|cfa|pounds?|livres?|soles|reales|quetzales|colones"
    r"|(?-i:USD|EUR|GBP|MXN|COP|ARS|CLP|PEN|BRL|XOF|XAF|MAD|TND|DZD|CAD|AUD|CHF)"
    r"|millions?|milliards?|milliers?|mille|mill[oó]n|millones|mil|miles|billions?|billones|thousands?|bn"
    r"|percent|per\s?cent|pour\s?cent|por\s?ciento"
    r"|km²|km2|km|m²|m2|hectares?|hect[áa]reas?|tonnes?|tons?|toneladas?"
)
_UNIT_AFTER = re.compile(rf"\s*(?:(?:de|del|of)\s+|d['’]\s*)?(?:[%‰€$£¥]|(?:{_UNIT_WORDS})(?!\w))", re.IGNORECASE)
_SPACE_SPLIT = re.compile("([ \u00a0\u202f])")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(?:\d{4}|\d{2})")
_YEAR = r"(?:1[5-9]|20)\d\d"
_YEAR_MONTH_DAY = re.compile(rf"{_YEAR}([./-]?)(\d{{1,2}})\1(\d{{1,2}})")  # 2022-05-12, 2022.05.12, 20220512
_YEARS = re.compile(rf"{_YEAR}(?:[-/,]{_YEAR})+")
_COMMA_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_TIME_RANGE = re.compile(r"([01]?\d|2[0-4])[.:h][0-5]\d-([01]?\d|2[0-4])[.:h][0-5]\d")
_ROUND_OR_GROUPED = re.compile("\\d{1,3}([ \u00a0\u202f.])\\d{3}(?:\\1\\d{3})*")
_AMOUNT_DECIMALS = re.compile("\\d{1,3}(?:([ \u00a0\u202f.])\\d{3})+,\\d+")
_GROUPED = "\\d{1,3}(?:[ \u00a0\u202f.]\\d{3})*"
_RANGE = re.compile(f"({_GROUPED})[-/]({_GROUPED})")
_NOT_DIGIT = re.compile(r"\D+")


def _digits(text: str) -> int:
    return len(_NOT_DIGIT.sub("", text))


def _words_before(text: str, start: int) -> list[str]:
    """The last words before ``start`` (at most three, within 32 characters), opening brackets and quotes off."""
    return [word.lstrip(_OPENING) for word in text[max(0, start - 32) : start].split()[-3:]]


def _after_reference(words: list[str]) -> bool:
    """``words`` end with a reference word, then maybe an initial and a number sign: décret n°, article L., ODD."""
    if words and _NUMBER_SIGN.fullmatch(words[-1]):
        words = words[:-1]
    if words and _INITIAL.fullmatch(words[-1]):
        words = words[:-1]
    if not words:
        return False
    word = words[-1]
    word = word[max(word.rfind("'"), word.rfind("’")) + 1 :].rstrip(":")  # l'article, l’ODD
    return bool(_REFERENCE_WORD.fullmatch(word))


def _after_currency(words: list[str]) -> bool:
    """``words`` end with a currency: $, US$, €, EUR, FCFA..."""
    return bool(words) and (words[-1].endswith(_CURRENCY_SIGNS) or words[-1] in _CURRENCY_CODES)


def _is_year(token: str) -> bool:
    return len(token) == 4 and token.isdigit() and 1500 <= int(token) <= 2099


def _never_phone(token: str) -> bool:
    """Dates, years joined by -, / or ",", comma-grouped amounts, time ranges."""
    if len(token) < 5:  # none of them is that short
        return False
    if _YEARS.fullmatch(token) or _COMMA_AMOUNT.fullmatch(token) or _TIME_RANGE.fullmatch(token):
        return True
    if found := _DAY_MONTH_YEAR.fullmatch(token):
        first, second = int(found[1]), int(found[3])
        return (1 <= first <= 31 and 1 <= second <= 12) or (1 <= first <= 12 and 1 <= second <= 31)
    if found := _YEAR_MONTH_DAY.fullmatch(token):
        return 1 <= int(found[2]) <= 12 and 1 <= int(found[3]) <= 31
    return False


def _is_phone(stretch: str) -> bool:
    """A stretch of tokens left by ``_phone``: a phone number unless it reads as an amount."""
    digits = _digits(stretch)
    if stretch.startswith("+"):
        return digits >= 8
    if digits < 8 or _AMOUNT_DECIMALS.fullmatch(stretch):
        return False
    if _ROUND_OR_GROUPED.fullmatch(stretch):
        return not stretch.endswith("000")  # 10 000 000 is an amount; 912 345 678 may be a phone
    if found := _RANGE.fullmatch(stretch):
        low, high = (int(_NOT_DIGIT.sub("", part)) for part in found.groups())
        return low >= high  # 10 000-20 000 rises: a range
    return True


def _phone(match: re.Match[str]) -> str:
    """Judge a number run of ``PHONE`` (see the module docstring): the run with its phone numbers replaced."""
    run = match.group()
    if _digits(run) < 8 or (" " not in run and _never_phone(run)):  # the common 2015-2019, 12.05.2022
        return run
    parts = _SPACE_SPLIT.split(run)
    tokens, spaces = parts[0::2], parts[1::2]
    phone = [False] * len(tokens)
    first = 0  # the stretch of tokens being read: tokens[first:index]
    for index in range(len(tokens) + 1):  # the last index closes the final stretch
        if index < len(tokens) and not _never_phone(tokens[index]):
            continue
        while index - first > 1 and _is_year(tokens[first]):
            if index - first == 2 and len(tokens[first + 1]) == 4 and not _is_year(tokens[first + 1]):
                break  # 2012 3456: an 8-digit number, not a year
            first += 1  # a year opening a stretch: 2019 45 000
        if index > first:
            joined = "".join(tokens[i] + spaces[i] for i in range(first, index - 1)) + tokens[index - 1]
            if _is_phone(joined):
                phone[first:index] = [True] * (index - first)
        first = index + 1
    if not any(phone):
        return run
    text, start, end = match.string, match.start(), match.end()
    if _UNIT_AFTER.match(text, end, end + 40):
        return run  # a count or an amount
    words = _words_before(text, start)
    if _after_currency(words) or _after_reference(words):
        return run  # an amount or a reference number
    out: list[str] = []
    for index, token in enumerate(tokens):
        if not phone[index]:
            out.append(token)
        elif index == 0 or not phone[index - 1]:
            out.append(REDACTED["phone"])
        if index < len(spaces) and not (phone[index] and phone[index + 1]):
            out.append(spaces[index])
    return "".join(out)


def _ipv4(match: re.Match[str]) -> str:
    """A dotted quad is an address unless a version or reference word comes right before it."""
    text, start = match.string, match.start()
    words = _words_before(text, start)
    version = bool(words) and (words[-1] in ("v", "v.") or (words[-1] == "V" and text[start - 1] == "V"))
    if version or _after_reference(words):  # v4.0.2.1, v. 4.0.2.1, V4.0.2.1 (not "Marie V. 1.2.3.4")
        return match.group()
    if all(len(part) == 1 for part in match.group().split(".")):  # 4.0.2.1: a version or section number
        return match.group()
    return REDACTED["ip"]


def _ipv6(match: re.Match[str]) -> str:
    """An IPv6 candidate is an address when it has two groups or more and a digit."""
    found = match.group()
    groups = [g for g in found.split(":") if g]
    if len(groups) >= 2 and any(ch.isdigit() for ch in found):
        return REDACTED["ip"]
    return found


_WORD = re.compile(r"\w+")


def redact(text: pd.Series) -> pd.Series:
    """Free text with e-mail addresses, IP addresses and phone numbers replaced by a marker.

    Numbers that only look like them (years, dates, amounts, percentages, article,
    version and target numbers, counts) stay: the rules are in the module docstring.
    A text that hides an item behind Unicode look-alikes or zero-width characters
    is redacted in its normalised form (``unhidden``); any other text is kept as given.
    """
    plain = _redact(text)
    normal = text.map({value: unhidden(value) for value in text.unique() if isinstance(value, str)})
    hiding = normal.notna() & (normal != text)
    if hiding.any():
        revealed = _redact(normal[hiding])
        more = revealed.str.count(r"\[[a-z-]+ removed\]") > plain[hiding].str.count(r"\[[a-z-]+ removed\]")
        plain[more[more].index] = revealed[more]
    return plain


_DIGIT = re.compile(r"\d")


def _redact(text: pd.Series) -> pd.Series:
    return text.map(_redact_one, na_action="ignore")


def _redact_one(text: str) -> str:
    """The four passes on one text; a pass runs only where its pattern can match at all: an e-mail
    address holds an "@", every IPv6 form a ":", an IPv4 address a "." and digits, a phone number
    8 digits. Most comments hold none of them, and are read four times at C speed, not searched."""
    if "@" in text:
        text = EMAIL.sub(REDACTED["email"], text)
    if ":" in text:
        text = IPV6.sub(_ipv6, text)
    if _DIGIT.search(text) is None:
        return text
    if "." in text:
        text = IPV4.sub(_ipv4, text)
    return PHONE.sub(_phone, text)


def redact_name(text: str, name: str) -> str:
    """``text`` with the writer's own name (full, or any part of 3+ letters) replaced."""
    lowered = text.casefold()
    for part in _name_parts(name):
        if part and part.casefold() in lowered:  # the regex only where the name may be
            text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", REDACTED["name"], text, flags=re.IGNORECASE)
    return text


@functools.lru_cache(maxsize=4096)  # a writer's comments come one after the other: their name once
def _name_parts(name: str) -> list[str]:
    """The full name and its parts of 3+ characters, longest first."""
    return sorted({name.strip(), *(p for p in re.split(r"[\s,]+", name) if len(p) >= 3)}, key=len, reverse=True)


def redact_names(texts: pd.Series, names: Iterable[str]) -> pd.Series:
    """``texts`` with every full name of ``names`` replaced, wherever it appears, in any order of its
    parts, whatever the case or accents ("Merci à nanono NOBO"). Texts that hold none stay as given.

    Only names of two words or more are sought (a lone word would hit ordinary words); the
    writer's own name is handled, in more detail, by ``redact_name``.
    """
    wanted: set[tuple[str, ...]] = set()
    folded: dict[str, str] = {}  # names share their words (first names, "de", "van"): each folded once
    known = folded.get
    for name in names:
        words = [word for word in _WORD.findall(unhidden(str(name))) if len(word) >= 2]
        if 2 <= len(words) <= 5:
            parts = tuple([known(word) or folded.setdefault(word, fold(word)) for word in words])
            wanted.add(parts)
            wanted.add(parts[::-1])
    if not wanted:
        return texts
    firsts = {parts[0] for parts in wanted}
    sizes = sorted({len(parts) for parts in wanted}, reverse=True)

    def one(text: str) -> str:
        normal = unhidden(text)
        words = [(m.start(), m.end(), folded.setdefault(m.group(), fold(m.group()))) for m in _WORD.finditer(normal)]
        spans, index = [], 0
        while index < len(words):
            if words[index][2] in firsts:
                size = next(
                    (
                        n
                        for n in sizes
                        if index + n <= len(words) and tuple(w[2] for w in words[index : index + n]) in wanted
                    ),
                    0,
                )
                if size:
                    spans.append((words[index][0], words[index + size - 1][1]))
                    index += size
                    continue
            index += 1
        for start, end in reversed(spans):
            normal = normal[:start] + REDACTED["name"] + normal[end:]
        return normal if spans else text

    return per_distinct(texts, one)
