"""Language codes: one check for the CLI, the batch, the HTTP API and the library."""

from __future__ import annotations

import pytest

from service.domain import LANGUAGES, language_code, speech_languages
from service.errors import InputError


@pytest.mark.parametrize(
    ("given", "code"),
    [("zh", "zh"), (" EN ", "en"), ("zh-CN", "zh"), ("pt_BR", "pt"), ("auto", None), ("", None),
     (None, None), ("yue", "yue")],
)  # fmt: skip
def test_language_codes_are_normalised(given, code):
    assert language_code(given) == code


@pytest.mark.parametrize("given", ["xx", "english", "zz-ZZ", "e", "123"])
def test_a_code_the_speech_stage_does_not_know_is_refused(given):
    with pytest.raises(InputError, match=r"unknown language code .*ISO 639-1"):
        language_code(given)


def test_every_seller_language_is_known_to_the_speech_stage():
    assert set(LANGUAGES) <= speech_languages()
