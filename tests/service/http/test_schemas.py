"""Form fields at the HTTP edge: text stays text, blanks are unknown, codes are checked."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from service.http.schemas import (
    Category,
    Count,
    Currency,
    Language,
    Price,
    Script,
    Text,
    to_meta,
)


class Form(BaseModel):
    language: Language = None
    product_name: Text = None
    creator_id: Text = None
    currency: Currency = None
    category: Category = None
    views: Count = None
    price: Price = None


def test_numbers_bentoml_decoded_from_text_fields_become_text_again():
    f = Form(creator_id=12345678901234567890, product_name=True)
    assert f.creator_id == "12345678901234567890" and f.product_name == "true"


def test_blank_fields_are_unknown():
    f = Form(language="", product_name="  ", views="", price="", currency="", category=" ")
    assert f.model_dump() == dict.fromkeys(Form.model_fields)


def test_language_codes_are_normalised_and_checked():
    assert Form(language="zh-CN").language == "zh"
    assert Form(language="EN").language == "en"
    assert Form(language="auto").language is None
    with pytest.raises(ValidationError, match="unknown language code 'klingon'"):
        Form(language="klingon")


def test_categories_are_normalised_and_checked():
    assert Form(category="Beauty").category == "beauty"
    assert Form(category="other").category is None
    with pytest.raises(ValidationError, match="unknown product category 'jewelry'"):
        Form(category="jewelry")
    with pytest.raises(ValidationError, match="longer than 200"):
        Form(category="x" * 201)


def test_currency_views_and_price_are_checked():
    assert Form(currency="usd").currency == "USD"
    with pytest.raises(ValidationError, match="ISO 4217"):
        Form(currency="dollars")
    with pytest.raises(ValidationError, match="no exchange rate for currency 'XYZ'"):
        Form(currency="XYZ")  # a code, but its prices could not be put on one scale
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        Form(views=-3)
    with pytest.raises(ValidationError, match="valid integer"):
        Form(views="1,000")
    with pytest.raises(ValidationError, match="finite"):
        Form(price=float("inf"))


def test_long_text_and_empty_scripts_are_refused():
    class S(BaseModel):
        text: Script

    with pytest.raises(ValidationError):
        Form(product_name="x" * 201)
    with pytest.raises(ValidationError):
        S(text="")
    assert S(text="  Stop scrolling!  ").text == "Stop scrolling!"


def test_to_meta_builds_the_library_dataclass():
    m = to_meta(
        {"product_name": "Glow", "price": 10.0, "currency": "EUR", "views": 100, "video": "x"}
    )
    assert m.product_name == "Glow" and m.views == 100 and m.price_usd == pytest.approx(10.87, 0.01)
    assert m.creator_cvr is None
