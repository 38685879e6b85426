"""A domain an applicant declares is read the way it is meant, however it is written."""

from __future__ import annotations

import pytest

from ringfence.decide.signals import canonical_domain, domain_and_parents


@pytest.mark.parametrize("written", [
    "bytedance.com", "ByteDance.COM", "byte\u200bdance.com", "bytedance.com.",
    "https://www.bytedance.com/about", "ｂｙｔｅｄａｎｃｅ．ｃｏｍ", "bytedance.com:443",
    "user@bytedance.com", "byte\u00addance.com", "\u202ebytedance.com",
])
def test_disguised_spellings_reduce_to_one(written: str) -> None:
    assert canonical_domain(written) == "bytedance.com"


def test_unicode_labels_become_idna_and_junk_is_empty() -> None:
    assert canonical_domain("bücher.de") == "xn--bcher-kva.de"
    assert canonical_domain("localhost") == ""
    assert canonical_domain("") == ""


def test_a_subdomain_belongs_to_its_parents_but_not_to_the_top_level() -> None:
    assert list(domain_and_parents("mail.corp.example.com")) == [
        "mail.corp.example.com", "corp.example.com", "example.com"]
    assert "com" not in list(domain_and_parents("example.com"))
