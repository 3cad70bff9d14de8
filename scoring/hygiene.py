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
import pandas as pd

from .parse import WHITESPACE, Column, filled_values, to_arrow

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
# The same over many addresses, one per line: each line gives (local part, domain), or ('', '').
_PLAIN_LINES = re.compile(rf"^(?:({_ATEXT}+(?:\.{_ATEXT}+)*)@({_LABEL}(?:\.{_LABEL})+)$|.*$)", re.M)


def _plain_parts(texts: list) -> list:
    """[_PLAIN.fullmatch(t).groups() or None for t in texts], in one search over them all."""
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1:
        pairs = _PLAIN_LINES.findall(joined)
        if len(pairs) == len(texts):
            return [None if p[0] == "" else p for p in pairs]
    return [m.groups() if (m := _PLAIN.fullmatch(t)) else None for t in texts]


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


@lru_cache(maxsize=1)
def _special_use() -> frozenset:
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    return frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _domain_ok(domain: str) -> bool:
    """An ASCII domain of valid labels (the _PLAIN pattern): valid as email-validator sees it unless
    it is too long, its last label is all digits, or it is a special-use name (test, local ...)."""
    special = _special_use()
    labels = domain.split(".")
    if len(domain) > 253 or labels[-1].isdigit():
        return False
    return not any(".".join(labels[i:]) in special for i in range(len(labels)))


# The shape of a plain address, for pyarrow's regular expressions (RE2): the local part as _PLAIN has it,
# then a domain of the characters its labels may hold; each distinct domain is then matched to _DOMAIN.
_SHAPE = rf"^(?P<local>{_ATEXT}+(?:\.{_ATEXT}+)*)@(?P<domain>[A-Za-z0-9.-]+)$"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")


def _split_python(texts: list):
    """Per address text: plain (as _PLAIN), local part, domain code; and the distinct domains."""
    parts = _plain_parts(texts)
    n = len(texts)
    local = [p[0] if p else t.rpartition("@")[0].strip() for p, t in zip(parts, texts)]
    domain = [p[1] if p else t.rpartition("@")[2].strip() for p, t in zip(parts, texts)]
    codes, domains = pd.factorize(np.array(domain, dtype=object)) if n else (np.zeros(0, np.int64), [])
    plain = np.fromiter((p is not None for p in parts), bool, n)
    local_short = np.fromiter(map(len, local), np.int64, n) <= 64
    return plain, local, local_short, np.asarray(codes, dtype=np.int64), list(domains)


def _lowered(arrow):
    """[t.strip().lower() for t in arrow] by pyarrow: trimmed of what str.strip() trims (WHITESPACE),
    lowered as ASCII; a text that is not ASCII is lowered by Python (whose rules for the rest of
    Unicode are the ones the Python split has)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lowered = pc.ascii_lower(pc.utf8_trim(arrow, characters=WHITESPACE))
    ascii_ = pc.string_is_ascii(arrow)
    if not pc.all(ascii_).as_py():
        others = pc.invert(ascii_)
        rows = np.flatnonzero(others.to_numpy(zero_copy_only=False))
        fixed = [arrow[int(i)].as_py().strip().lower() for i in rows]
        lowered = pc.replace_with_mask(lowered, others, pa.array(fixed, type=pa.large_string()))
    return lowered


def _lengths(texts) -> np.ndarray:
    """Characters per text, of a list or a pyarrow array."""
    if isinstance(texts, list):
        return np.fromiter(map(len, texts), np.int64, len(texts))
    import pyarrow.compute as pc

    return pc.utf8_length(texts).to_numpy(zero_copy_only=False)


def _split_arrow(arr):
    """_split_python's results by pyarrow's compute functions (a few times faster on many addresses),
    from the texts as a pyarrow array. The local parts stay an Arrow array (None for an address that
    is not plain in shape) beside a dict of the others' (index -> local part)."""
    import pyarrow.compute as pc

    found = pc.extract_regex(arr, _SHAPE)
    shaped = found.is_valid().to_numpy(zero_copy_only=False)
    local = pc.struct_field(found, "local")
    encoded = pc.dictionary_encode(pc.struct_field(found, "domain"))
    domains = encoded.dictionary.to_pylist()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    labels_ok = np.fromiter((_DOMAIN.fullmatch(d) is not None for d in domains), bool, len(domains))
    plain = shaped & np.append(labels_ok, False)[codes]
    local_short = pc.fill_null(pc.less_equal(pc.utf8_length(local), 64), True).to_numpy(zero_copy_only=False).copy()
    # An address not plain in shape: its parts as _split_python makes them (a shaped one's are the same).
    index = {d: k for k, d in enumerate(domains)}
    others = {}
    for i in np.flatnonzero(~shaped):
        head, _, tail = arr[int(i)].as_py().rpartition("@")
        others[i] = head.strip()
        tail = tail.strip()
        codes[i] = index.setdefault(tail, len(index))
        local_short[i] = len(others[i]) <= 64
    if len(index) > len(domains):
        domains = list(index)
    return plain, (local, others), local_short, codes, domains


class Emails:
    """A column of e-mail addresses split once: per distinct value its local part, domain code and
    syntax verdict; per distinct domain its lower-case text."""

    def __init__(self, column: Column):
        codes, uniques = column.factors
        self.codes = codes
        arrow = column.texts_arrow()
        if arrow is not None:  # Many texts: stripped and lowered by pyarrow too.
            texts = _lowered(arrow)
        else:
            if all(map(str.__instancecheck__, uniques)):
                texts = list(map(str.lower, map(str.strip, uniques)))
            else:
                texts = [v.strip().lower() if isinstance(v, str) else str(v).lower() for v in uniques]
            made = to_arrow(texts) if texts else None  # Split by pyarrow where it can take them.
            texts = texts if made is None else made
        n = len(texts)
        split = _split_python if isinstance(texts, list) else _split_arrow
        plain, self.local, local_short, self.domain_code, self.domains = split(texts)
        domain_ok = np.fromiter((_domain_ok(d) if d else False for d in self.domains), bool, len(self.domains))
        short = _lengths(texts) <= 254
        valid = plain & short & local_short & domain_ok[self.domain_code] if n else np.zeros(0, bool)
        for i in np.flatnonzero(~plain):  # Unicode, quotes or garbage: email-validator decides.
            valid[i] = _strict(str(uniques[i]).strip())
        self.valid = valid

    def per_domain(self, test) -> np.ndarray:
        """Per distinct value: test(domain) on its domain, worked out once per domain."""
        flags = np.fromiter((bool(d) and test(d) for d in self.domains), bool, len(self.domains))
        return flags[self.domain_code] if len(self.domain_code) else np.zeros(0, bool)

    def roles(self, roles: frozenset) -> np.ndarray:
        """Per distinct value: its local part without a +tag (info+x@ is info@) is in roles."""
        if isinstance(self.local, list):
            tagged = [lo.partition("+")[0] for lo in self.local]
            return np.fromiter(map(roles.__contains__, tagged), bool, len(tagged))
        import pyarrow as pa
        import pyarrow.compute as pc

        arrow, others = self.local
        tagged = pc.replace_substring_regex(arrow, r"\+.*", "", max_replacements=1)
        out = pc.is_in(tagged, value_set=pa.array(sorted(roles), type=pa.large_string()))
        out = pc.fill_null(out, False).to_numpy(zero_copy_only=False).copy()
        for i, lo in others.items():
            out[i] = lo.partition("+")[0] in roles
        return out


def _factorize(items: list) -> tuple[np.ndarray, list]:
    index, codes = {}, np.empty(len(items), dtype=np.int64)
    for i, item in enumerate(items):
        codes[i] = index.setdefault(item, len(index))
    return codes, list(index)


def _listed(domain: str, listed: frozenset) -> bool:
    """The domain or one it belongs to (mx.mailinator.com → mailinator.com) is listed."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in listed for i in range(len(parts) - 1))


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case without accents: 'Ångström' -> 'angstrom' (the whole text at once)."""
    text = text.casefold()
    return text if text.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=1)
def _run_words() -> frozenset:
    """Every stretch of four letters or more along a keyboard row or the alphabet, both ways."""
    return frozenset(run[i:j] for r in _RUNS for run in (r, r[::-1]) for i in range(len(run))
                     for j in range(i + 4, len(run) + 1))


def _word_is_fake(word: str, fakes: frozenset) -> bool:
    return word in fakes or word in _run_words() or (len(word) >= 3 and len(set(word)) == 1)


_NOT_LETTER = re.compile(r"[\W\d_]+")
_NOT_LETTER_OR_MARK = re.compile(r"(?:[^\w\x01]|[\d_])+")  # The same, keeping the mark between names.


def fake_name(value, fakes: frozenset) -> bool:
    """A name that is a placeholder or a keyboard mash (see the module docstring)."""
    return bool(fake_names([value], fakes)[0])


def fake_names(values, fakes: frozenset) -> np.ndarray:
    """fake_name for many values at once: the text is folded and split in one go, and each
    distinct word is judged once (names are many, their words few)."""
    words_of = frozenset(w for f in fakes for w in _NOT_LETTER.split(fold(f)) if w)
    text = fold("\x01".join(map(str, values)))
    names = text.split("\x01")
    words = _NOT_LETTER_OR_MARK.sub(" ", text.replace("\x01", " \x01 ")).split()
    if not words:
        return np.ones(len(names), dtype=bool)
    codes, uniques = pd.factorize(np.array(words, dtype=object))
    mark = np.array([w == "\x01" for w in uniques], dtype=bool)
    verdict = np.array([_word_is_fake(w, words_of) for w in uniques], dtype=bool)
    is_mark = mark[codes]
    name_of = np.cumsum(is_mark)  # Word -> the name it belongs to.
    fake = np.zeros(len(names), dtype=bool)
    counted = np.zeros(len(names), dtype=np.int64)
    word_at = ~is_mark
    np.logical_or.at(fake, name_of[word_at], verdict[codes[word_at]])
    np.add.at(counted, name_of[word_at], 1)
    return fake | (counted == 0)  # A name with no letter at all is no name.


def hygiene_hits(kind: str, column: Column, settings, cache: dict) -> np.ndarray:
    """Per lead: whether the check of this kind flags its cell (blank cells never are)."""
    codes, uniques = column.factors
    filled = cache.get((column.name, "filled"))
    if filled is None:  # '' or spaces are blank.
        filled = cache[(column.name, "filled")] = filled_values(uniques, column.texts_arrow())
    if kind == "fake name":
        per_unique = fake_names(uniques, frozenset(settings.fake_names)) if len(uniques) else np.zeros(0, bool)
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
        per_unique = emails.valid & emails.roles(frozenset(r.casefold() for r in settings.role_accounts))
    return column.spread(np.asarray(per_unique, dtype=bool) & filled, False)
