"""Bulk name pools pulled from Faker's locale data once per process, plus login/email helpers.

Calling Faker once per field runs at a few thousand people per second; reading its provider
tables once into plain lists and drawing from them with a seeded `random.Random` is two orders
of magnitude faster and depends on nothing but the seed (see docs/scenarios.md).
"""
from __future__ import annotations

import importlib
import random
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from .model import Person

# Locales whose names fold to ASCII cleanly, plus the two non-Latin ones Faker romanizes.
LATIN_LOCALES = (
    "en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "nl_NL",
    "sv_SE", "tr_TR", "cs_CZ", "da_DK", "fi_FI", "no_NO",
)
SUPPORTED_LOCALES = (*LATIN_LOCALES, "ja_JP", "zh_CN")

# Reserved names only (RFC 2606 `.example`): a real mailbox can never be produced.
PERSONAL_DOMAINS = ("mail.example", "posteo.example", "inbox.example", "webpost.example")
COMPANY_SUFFIXES = ("corp", "labs", "systems", "group", "industries", "works", "tech")
LOGIN_MAX = 39

_SPECIAL = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l",
    "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d",
})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Faker's zh_CN hanzi tables carry no romanization, so we map the characters it uses.
_ZH_GIVEN = dict(zip(
    "东丹丽云亮伟佳俊倩健兰兵军冬凤凯刚利勇华博国坤娜娟婷宁宇小岩峰帅帆平建强彬志想慧成敏文斌旭明春晨晶杨"
    "杰林柳桂梅楠欢欣波洁洋浩海涛淑燕玉玲珍琳琴瑜瑞璐畅磊秀红艳芝花芳英荣莉莹萍超辉金鑫阳雪雷霞静颖飞香鹏龙",
    ["dong", "dan", "li", "yun", "liang", "wei", "jia", "jun", "qian", "jian", "lan", "bing", "jun", "dong", "feng", "kai", "gang", "li", "yong", "hua", "bo", "guo", "kun", "na", "juan", "ting", "ning", "yu", "xiao", "yan", "feng", "shuai", "fan", "ping", "jian", "qiang", "bin", "zhi", "xiang", "hui", "cheng", "min", "wen", "bin", "xu", "ming", "chun", "chen", "jing", "yang", "jie", "lin", "liu", "gui", "mei", "nan", "huan", "xin", "bo", "jie", "yang", "hao", "hai", "tao", "shu", "yan", "yu", "ling", "zhen", "lin", "qin", "yu", "rui", "lu", "chang", "lei", "xiu", "hong", "yan", "zhi", "hua", "fang", "ying", "rong", "li", "ying", "ping", "chao", "hui", "jin", "xin", "yang", "xue", "lei", "xia", "jing", "ying", "fei", "xiang", "peng", "long"],
    strict=True))
_ZH_SURNAME = dict(zip(
    "王李张刘陈杨黄吴赵周徐孙马朱胡林郭何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪",
    ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "wu", "zhao", "zhou", "xu", "sun", "ma", "zhu", "hu", "lin", "guo", "he", "gao", "luo", "zheng", "liang", "xie", "song", "tang", "xu", "deng", "feng", "han", "cao", "zeng", "peng", "xiao", "cai", "pan", "tian", "dong", "yuan", "yu", "yu", "ye", "jiang", "du", "su", "wei", "cheng", "lu", "ding", "shen", "ren", "yao", "lu", "fu", "zhong", "jiang", "cui", "tan", "liao", "fan", "wang"],
    strict=True))


@dataclass(frozen=True, slots=True)
class LocalePool:
    """A locale's names as (display, ascii) pairs with optional cumulative weights."""

    locale: str
    firsts: list[tuple[str, str]]
    first_cum: list[float] | None
    lasts: list[tuple[str, str]]
    last_cum: list[float] | None
    family_first: bool  # ja_JP / zh_CN write the family name first
    separator: str  # " " between parts, "" for zh_CN

    def display(self, first: str, last: str) -> str:
        """Format a full name the way the locale writes it, so names look native."""
        if self.family_first:
            return f"{last}{self.separator}{first}"
        return f"{first}{self.separator}{last}"


def fold(text: str) -> str:
    """ASCII-fold and slug a Latin name ("Jörg Groß" -> "jorg-gross") for logins and mail.

    WHY the ASCII shortcut: most of Faker's names are plain ASCII, which the translation and
    NFKD steps leave unchanged; skipping them cuts the name-pool setup of the first build by a third.
    """
    if text.isascii():
        return _NON_ALNUM.sub("-", text.lower()).strip("-")
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub("-", text).strip("-")


def _weighted(table: dict[str, float] | Iterable[str]) -> tuple[list[str], list[float] | None]:
    """Split a Faker table into names and cumulative weights (None when unweighted)."""
    if isinstance(table, dict):
        return list(table), list(accumulate(float(w) for w in table.values()))
    return list(table), None


def _latin(locale: str) -> LocalePool:
    """Read a Latin locale's first/last name tables and fold each entry once."""
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    parts = []
    for table in (provider.first_names, provider.last_names):
        names, cum = _weighted(table)
        keep = [(i, n, a) for i, n in enumerate(names) if (a := fold(n))]
        pairs = [(n, a) for _, n, a in keep]
        if cum is not None:
            weights = [cum[i] - (cum[i - 1] if i else 0.0) for i, _, _ in keep]
            cum = list(accumulate(weights))
        parts.append((pairs, cum))
    (firsts, fcum), (lasts, lcum) = parts
    return LocalePool(locale, firsts, fcum, lasts, lcum, False, " ")


def _japanese() -> LocalePool:
    """Use Faker's ja_JP (kanji, kana, romaji) triples so logins are real romanizations."""
    provider = importlib.import_module("faker.providers.person.ja_JP").Provider
    firsts = [(kanji, fold(roman)) for kanji, _kana, roman in provider.first_name_pairs]
    lasts = [(kanji, fold(roman)) for (kanji, _kana, roman) in provider.last_name_pairs]
    cum = list(accumulate(float(w) for w in provider.last_name_pairs.values()))
    return LocalePool("ja_JP", firsts, None, lasts, cum, True, " ")


def _chinese() -> LocalePool:
    """Use Faker's zh_CN hanzi tables, keeping the entries our pinyin table covers."""
    provider = importlib.import_module("faker.providers.person.zh_CN").Provider
    firsts = [(n, "".join(_ZH_GIVEN[c] for c in n)) for n in provider.first_names
              if all(c in _ZH_GIVEN for c in n)]
    lasts, weights = [], []
    for name, weight in provider.last_names.items():
        if name in _ZH_SURNAME:
            lasts.append((name, _ZH_SURNAME[name]))
            weights.append(float(weight))
    return LocalePool("zh_CN", firsts, None, lasts, list(accumulate(weights)), True, "")


@lru_cache(maxsize=len(SUPPORTED_LOCALES))  # one per locale; an unsupported one raises (not cached)
def pool(locale: str) -> LocalePool:
    """Build (once per process) the name pool of a supported locale."""
    if locale == "ja_JP":
        return _japanese()
    if locale == "zh_CN":
        return _chinese()
    if locale in LATIN_LOCALES:
        return _latin(locale)
    raise ValueError(f"unsupported locale {locale!r}; supported: {', '.join(SUPPORTED_LOCALES)}")


@lru_cache(maxsize=1)
def company_stems() -> list[str]:
    """ASCII company stems from Faker's en_US/de_DE surname tables (company names use surnames)."""
    stems = {a for loc in ("en_US", "de_DE") for _, a in pool(loc).lasts if a.isalpha() and 3 <= len(a) <= 10}
    return sorted(stems)


def clean_login(text: str) -> str:
    """Normalise to GitHub's login alphabet: alphanumerics and single inner hyphens, <= 39."""
    text = _NON_ALNUM.sub("-", text.lower()).strip("-")
    return text[:LOGIN_MAX].rstrip("-")


def valid_login(login: str) -> bool:
    """Check GitHub's login rules (alphanumerics, single inner hyphens, <= 39): one definition to share."""
    return 0 < len(login) <= LOGIN_MAX and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", login, re.I) is not None


class LoginRegistry:
    """Hands out unique logins within one namespace, suffixing numbers on collision."""

    __slots__ = ("_next", "taken")

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        """Start with names that must never be handed out (ghost, bots...)."""
        self.taken: set[str] = {r.lower() for r in reserved}
        self._next: dict[str, int] = {}

    def claim(self, base: str) -> str:
        """Return `base` cleaned, or `base` + the next free number, and reserve it."""
        return self.claim_clean(clean_login(base) or "user")

    def claim_clean(self, base: str) -> str:
        """Like `claim` for a base already in the login alphabet (the generator's hot path)."""
        if len(base) > LOGIN_MAX:
            base = clean_login(base)
        if base not in self.taken:
            self.taken.add(base)
            return base
        n = self._next.get(base, 2)
        while True:
            suffix = str(n)
            login = base[: LOGIN_MAX - len(suffix)].rstrip("-") + suffix
            n += 1
            if login not in self.taken:
                self._next[base] = n
                self.taken.add(login)
                return login


def companies(rng: random.Random) -> list[tuple[str, str, str]]:
    """Pick three distinct fictional companies (slug, display, domain) on reserved `.example`."""
    out = []
    for stem in rng.sample(company_stems(), 3):
        suffix = rng.choice(COMPANY_SUFFIXES)
        out.append((f"{stem}-{suffix}", f"{stem.title()} {suffix.title()}", f"{stem}-{suffix}.example"))
    return out


def unique_email(local: str, domain: str, taken: set[str], counters: dict[str, int]) -> str:
    """Return local@domain, numbered (local2@, local3@...) if taken: no two people share an address.

    `counters` remembers the next number per base, so popular names stay O(1) per person.
    """
    address = f"{local}@{domain}"
    if address not in taken:
        taken.add(address)
        return address
    n = counters.get(address, 2)
    while (numbered := f"{local}{n}@{domain}") in taken:
        n += 1
    counters[address] = n + 1
    taken.add(numbered)
    return numbered


def draw_people(rng: random.Random, locales: tuple[str, ...], n: int,
                companies: list[tuple[str, str, str]], partner: set[int], needs_personal: set[int],
                no_alias: set[int]) -> tuple[list[Person], list[str], list[str], list[str | None]]:
    """Draw names in per-locale batches, then derive unique work/personal/alias addresses.

    Returns the people plus, per person index, the ASCII first and last names (for logins) and an
    optional alias address on the work domain. Partner people work at the third company; the
    rest split 85/15 between the main company and its subsidiary.
    """
    loc_of = rng.choices(locales, k=n)
    drawn: dict[str, tuple[list, list]] = {}
    for loc in dict.fromkeys(locales):
        p, count = pool(loc), loc_of.count(loc)
        drawn[loc] = (rng.choices(p.firsts, cum_weights=p.first_cum, k=count)[::-1],
                      rng.choices(p.lasts, cum_weights=p.last_cum, k=count)[::-1])
    (_, _, main), (_, _, sub), (_, _, third) = companies
    taken: set[str] = set()
    counters: dict[str, int] = {}
    people, fa, la, aliases = [], [], [], []
    random_, add = rng.random, taken.add
    family_first = {loc: pool(loc).family_first for loc in locales}
    spaced = {loc: pool(loc).separator == " " for loc in locales}
    for i, loc in enumerate(loc_of):
        (fd, f), (ld, surname) = drawn[loc][0].pop(), drawn[loc][1].pop()
        domain = third if i in partner else (main if random_() < 0.85 else sub)
        work = f"{f}.{surname}@{domain}"
        if work in taken:
            work = unique_email(f"{f}.{surname}", domain, taken, counters)
        else:
            add(work)
        personal = alias = None
        if random_() < 0.45 or i in needs_personal:
            r = random_() * 3
            local = f"{f}{surname}{int(r * 33) + 1}" if r < 1 else f"{f}.{surname}" if r < 2 else f"{f[0]}{surname}"
            personal = f"{local}@{PERSONAL_DOMAINS[int(random_() * len(PERSONAL_DOMAINS))]}"
            if personal in taken:
                personal = unique_email(local, personal.partition("@")[2], taken, counters)
            else:
                add(personal)
        if random_() < 0.1 and i not in no_alias and (candidate := f"{f[0]}{surname}@{domain}") not in taken:
            alias = candidate
            add(candidate)
        else:
            alias = None
        fa.append(f)
        la.append(surname)
        aliases.append(alias)
        name = (f"{ld} {fd}" if spaced[loc] else f"{ld}{fd}") if family_first[loc] else f"{fd} {ld}"
        people.append(Person(i + 1, name, loc, work, personal))
    return people, fa, la, aliases


def naive_build_people(seed: int, n: int) -> list[Person]:
    """The slow baseline (one Faker call per field), kept so the benchmark can show the speed-up."""
    from faker import Faker

    locales = ("en_US", "de_DE", "ja_JP", "fr_FR", "zh_CN")
    fakers = {loc: Faker(loc) for loc in locales}
    for offset, fake in enumerate(fakers.values()):
        fake.seed_instance(seed * 31 + offset)
    chooser = random.Random(seed)
    people = []
    for i in range(n):
        loc = chooser.choice(locales)
        fake = fakers[loc]
        first, last = fake.first_name(), fake.last_name()
        work = f"{fake.user_name()}@{fake.domain_word()}.example"
        personal = f"{fake.user_name()}@mail.example" if fake.boolean(45) else None
        fake.date_time_between(start_date="-6y", end_date="-1d")  # created_at, as a naive loop would
        people.append(Person(i + 1, f"{first} {last}", loc, work, personal))
    return people
