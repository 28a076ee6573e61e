"""Language codes and categories: one check for the CLI, the batch, the HTTP API and the library."""

from __future__ import annotations

import re

import pytest

from service.domain import CATEGORIES, LANGUAGES, category_code, language_code, speech_languages
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


@pytest.mark.parametrize(
    ("given", "code"),
    [("beauty", "beauty"), (" Kitchen ", "kitchen"), ("OTHER", None), ("unknown", None), ("", None),
     (None, None)],
)  # fmt: skip
def test_categories_are_normalised(given, code):
    assert category_code(given) == code


@pytest.mark.parametrize("given", ["jewelry", "beauty & care", "kitchens"])
def test_a_category_the_model_does_not_know_is_refused_not_dropped(given):
    says = rf"unknown product category '{re.escape(given)}'.*'other'"
    with pytest.raises(InputError, match=says):
        category_code(given)


def test_every_category_is_its_own_code():
    assert [category_code(c.upper()) for c in CATEGORIES] == list(CATEGORIES)
