"""E-mail normalisation: one mailbox, however it is spelled; other addresses stay apart."""

from __future__ import annotations

import pytest

from ringfence.detect.emails import is_edu, normalise_email


@pytest.mark.parametrize(("raw", "mailbox"), [
    ("Alice@Example.com", "alice@example.com"),
    ("a.lice+7@GoogleMail.com", "alice@gmail.com"),
    ("alice+work@gmail.com", "alice@gmail.com"),
    ("a.lice@example.com", "a.lice@example.com"),  # dots matter outside Gmail
    ("bob+x@corp.example", "bob@corp.example"),  # a plus-tag is dropped anywhere
])
def test_normalise(raw: str, mailbox: str) -> None:
    assert normalise_email(raw)[0] == mailbox


@pytest.mark.parametrize("raw", ["", "no-at-sign", "@example.com", "alice@localhost"])
def test_not_an_address(raw: str) -> None:
    assert normalise_email(raw) == ("", "")


def test_edu_domains() -> None:
    assert is_edu("cs.stanford.edu") and is_edu("ox.ac.uk") and is_edu("pku.edu.cn")
    assert not is_edu("gmail.com") and not is_edu("education.com")
