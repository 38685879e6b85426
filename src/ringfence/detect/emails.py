"""E-mail addresses reduced to the mailbox they deliver to.

Case is folded, a plus-tag (``alice+x@``) is dropped, dots are dropped where the provider
ignores them (Gmail), and provider aliases are merged (googlemail.com -> gmail.com), so
``A.Lice+7@GoogleMail.com`` and ``alice@gmail.com`` are one mailbox. Throwaway domains come
from a list the adapter loads (``ringfence/data/email/throwaway.txt``).
"""

from __future__ import annotations

__all__ = ["EDU_SUFFIXES", "is_edu", "normalise_email"]

_DOT_BLIND = frozenset({"gmail.com"})
_ALIASES = {"googlemail.com": "gmail.com"}
_PLUS_TAGS = frozenset({"gmail.com", "outlook.com", "hotmail.com", "live.com", "icloud.com",
                        "me.com", "fastmail.com", "proton.me", "protonmail.com", "yahoo.com"})
EDU_SUFFIXES = (".edu", ".ac.uk", ".edu.cn", ".ac.jp", ".edu.au", ".ac.kr", ".edu.sg",
                ".ac.in", ".edu.hk", ".ac.nz", ".edu.br", ".ac.il", ".uni-", ".ac.at",
                ".edu.tw", ".ac.cn")


def normalise_email(email: str) -> tuple[str, str]:
    """(mailbox, domain) of an address; ("", "") when it is not one."""
    email = email.strip().lower()
    local, sep, domain = email.rpartition("@")
    if not sep or not local or "." not in domain:
        return "", ""
    domain = _ALIASES.get(domain, domain)
    if domain in _PLUS_TAGS or "+" in local:
        local = local.split("+", 1)[0]
    if domain in _DOT_BLIND:
        local = local.replace(".", "")
    return f"{local}@{domain}", domain


def is_edu(domain: str) -> bool:
    domain = "." + domain
    return any(s in domain if s.endswith("-") else domain.endswith(s) for s in EDU_SUFFIXES)
