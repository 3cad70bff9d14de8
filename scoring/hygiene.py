"""Lead hygiene: red-flag checks on an e-mail address or a name, each a behaviour rule kind.

* disposable email: the domain (or a domain it belongs to) is on the list of throwaway mail
  services maintained on PyPI as `disposable-email-domains` (installed with the package; no
  network when it runs);
* free mail: the domain is in the Free-mail domains setting (gmail.com, libero.it ...);
* invalid email: the address breaks the syntax rules, as `email-validator` checks them without
  asking DNS (check_deliverability=False);
* role account: the part before the @ (without a +tag) is in the Role accounts setting
  (info, noreply, sales ...);
* fake name: a word of the name is in the Fake names setting (test, asdf ...), is one letter
  written three times or more (xxx), or runs along a keyboard row or the alphabet for four
  letters or more (qwer, asdf, abcd); or the name holds no letter at all.

A blank cell (or a placeholder) is never flagged: unknown data is not penalised. Every check
works once per distinct value of the column, then per distinct domain; never per lead.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from .parse import Column, is_blank

HYGIENE_KINDS = ("disposable email", "free mail", "invalid email", "role account", "fake name")
HYGIENE_WORDS_IT = ("email usa e getta", "email gratuita", "email non valida", "casella di ruolo", "nome fittizio")
EMAIL_KINDS = HYGIENE_KINDS[:4]

FREE_MAIL = ("gmail.com", "googlemail.com", "yahoo.com", "yahoo.it", "yahoo.co.uk", "ymail.com", "hotmail.com",
             "hotmail.it", "hotmail.co.uk", "outlook.com", "outlook.it", "live.com", "live.it", "msn.com",
             "icloud.com", "me.com", "mac.com", "aol.com", "gmx.com", "gmx.net", "gmx.de", "web.de", "mail.com",
             "protonmail.com", "proton.me", "zoho.com", "yandex.com", "yandex.ru", "mail.ru", "libero.it",
             "virgilio.it", "alice.it", "tim.it", "tin.it", "tiscali.it", "email.it", "inwind.it", "fastwebnet.it",
             "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "btinternet.com", "qq.com",
             "163.com")
ROLE_ACCOUNTS = ("info", "noreply", "no-reply", "donotreply", "do-not-reply", "sales", "admin", "administrator",
                 "support", "contact", "contacts", "hello", "help", "office", "marketing", "team", "webmaster",
                 "postmaster", "hostmaster", "abuse", "billing", "accounts", "hr", "jobs", "careers", "press",
                 "privacy", "newsletter", "mail", "enquiries", "inquiries", "commerciale", "amministrazione",
                 "segreteria", "ufficio", "vendite", "contatti", "assistenza", "ordini", "direzione")
FAKE_NAMES = ("test", "testing", "tester", "prova", "asdf", "qwerty", "xxx", "xx", "abc", "aaa", "foo",
              "fake", "dummy", "sample", "example", "nobody", "anonymous", "anonimo", "nome", "cognome",
              "name", "lorem", "ipsum", "blah", "nessuno", "none")
_RUNS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop", "abcdefghijklmnopqrstuvwxyz")
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# A plain ASCII address whose local part is valid as it stands: only its domain still needs a look.
_PLAIN = re.compile(rf"({_ATEXT}+(?:\.{_ATEXT}+)*)@({_LABEL}(?:\.{_LABEL})+)")


@lru_cache(maxsize=1)
def disposable_domains() -> frozenset:
    """The maintained list of throwaway mail domains (a set the package ships as Python)."""
    from disposable_email_domains import blocklist

    return frozenset(blocklist)


def _strict(address: str) -> bool:
    """email-validator's verdict on the syntax, without DNS."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@lru_cache(maxsize=100_000)
def _domain_ok(domain: str) -> bool:
    return _strict("a@" + domain)


class Emails:
    """A column of e-mail addresses split once: per distinct value its local part, domain code and
    syntax verdict; per distinct domain its lower-case text."""

    def __init__(self, column: Column):
        codes, uniques = column.factors
        self.codes = codes
        texts = [v.strip() if isinstance(v, str) else str(v) for v in uniques]
        matches = [_PLAIN.fullmatch(t) for t in texts]
        local = [m.group(1).lower() if m else t.rpartition("@")[0].strip().lower() for m, t in zip(matches, texts)]
        domain = [m.group(2).lower() if m else t.rpartition("@")[2].strip().lower() for m, t in zip(matches, texts)]
        self.local = np.array(local, dtype=object)
        self.domain_code, domains = _factorize(domain)
        self.domains = domains
        domain_ok = np.fromiter((_domain_ok(d) if d else False for d in domains), bool, len(domains))
        plain = np.fromiter((m is not None for m in matches), bool, len(matches))
        short = np.fromiter((len(t) <= 254 and len(lo) <= 64 for t, lo in zip(texts, local)), bool, len(texts))
        valid = plain & short & domain_ok[self.domain_code] if len(texts) else np.zeros(0, bool)
        for i in np.flatnonzero(~plain):  # Unicode, quotes or garbage: email-validator decides.
            valid[i] = _strict(texts[i])
        self.valid = valid

    def per_domain(self, test) -> np.ndarray:
        """Per distinct value: test(domain) on its domain, worked out once per domain."""
        flags = np.fromiter((bool(d) and test(d) for d in self.domains), bool, len(self.domains))
        return flags[self.domain_code] if len(self.domain_code) else np.zeros(0, bool)


def _factorize(items: list) -> tuple[np.ndarray, list]:
    index, codes = {}, np.empty(len(items), dtype=np.int64)
    for i, item in enumerate(items):
        codes[i] = index.setdefault(item, len(index))
    return codes, list(index)


def _listed(domain: str, listed: frozenset) -> bool:
    """The domain or one it belongs to (mx.mailinator.com → mailinator.com) is listed."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in listed for i in range(len(parts) - 1))


def _role(local: str, roles: frozenset) -> bool:
    return local.split("+", 1)[0] in roles


def _fold(text: str) -> str:
    """Lower case without accents: 'Ångström' -> 'angstrom'."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def fake_name(value, fakes: frozenset) -> bool:
    """A name that is a placeholder or a keyboard mash (see the module docstring)."""
    text = _fold(str(value))
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return True
    if " ".join(words) in fakes:
        return True
    for word in words:
        if word in fakes or (len(word) >= 3 and len(set(word)) == 1):
            return True
        if len(word) >= 4 and any(word in run or word in run[::-1] for run in _RUNS):
            return True
    return False


def hygiene_hits(kind: str, column: Column, settings, cache: dict) -> np.ndarray:
    """Per lead: whether the check of this kind flags its cell (blank cells never are)."""
    codes, uniques = column.factors
    filled = np.fromiter((not is_blank(v) for v in uniques), bool, len(uniques))  # '' or spaces: blank.
    if kind == "fake name":
        fakes = frozenset(_fold(f) for f in settings.fake_names)
        per_unique = np.fromiter((fake_name(v, fakes) for v in uniques), bool, len(uniques))
        return column.spread(per_unique & filled, False)
    emails = cache.get(column.name)
    if emails is None:
        emails = cache[column.name] = Emails(column)
    if kind == "invalid email":
        per_unique = ~emails.valid
    elif kind == "disposable email":
        listed = disposable_domains()
        per_unique = emails.valid & emails.per_domain(lambda d: _listed(d, listed))
    elif kind == "free mail":
        free = frozenset(d.casefold().lstrip("@") for d in settings.free_mail)
        per_unique = emails.valid & emails.per_domain(lambda d: d in free)
    else:  # role account
        roles = frozenset(r.casefold() for r in settings.role_accounts)
        per_unique = emails.valid & np.fromiter((_role(lo, roles) for lo in emails.local), bool, len(emails.local))
    return column.spread(np.asarray(per_unique, dtype=bool) & filled, False)
