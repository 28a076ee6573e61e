"""TextReader over the stored PP-OCR model: quiet sessions, batched recognition."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.integration


def _caption(text: str, width: int = 540) -> np.ndarray:
    from training.render import draw_caption

    img = np.full((200, width, 3), 90, np.uint8)
    return draw_caption(img, text, y_frac=0.6, scale=1.2)


def test_sessions_do_not_spin(evidence_models):
    reader = evidence_models.ocr
    for part in (reader.engine.text_det, reader.engine.text_rec):
        opts = part.session.session.get_session_options()
        assert opts.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_batched_recognition_keeps_order_and_matches_single_calls(evidence_models):
    reader = evidence_models.ocr
    texts = ["TAP THE CART", "50K SOLD", "Livraison gratuite"]
    crops = []
    for t in texts:
        img = _caption(t)
        q = reader.detect(img)[0]
        crops.append(
            img[int(q[:, 1].min()) : int(q[:, 1].max()), int(q[:, 0].min()) : int(q[:, 0].max())]
        )
    batched = reader.recognise(crops)
    single = [reader.recognise([c])[0] for c in crops]
    assert [t for t, _ in batched] == texts
    assert [t for t, _ in batched] == [t for t, _ in single]
    assert all(s > 0.8 for _, s in batched)
    assert reader.recognise([]) == []


def test_whole_image_read(evidence_models):
    assert [t for t, _ in evidence_models.ocr(_caption("ONLY 9.90 TODAY"))] == ["ONLY 9.90 TODAY"]


def test_the_languages_whose_subtitles_are_not_read_are_those_the_reader_cannot_write(
    evidence_models,
):
    from service.domain import LANGUAGES
    from service.scoring.subtitles import UNREAD_SUBTITLE_LANGUAGES

    # letters of each language beyond plain Latin (Chinese: common characters)
    letters = {
        "zh": "的一是不了人我在有他这为之大来以个中上们点击下方小黄车",
        "en": "abcdefghijklmnopqrstuvwxyz",
        "id": "abcdefghijklmnopqrstuvwxyz",
        "fr": "éèêëàâîïôûùçœ",
        "fi": "äöå",
        "es": "ñáéíóúü¿",
        "vi": "ạảậầấẩẫắằặẳẵệềếểễộốổỗợờớởỡụủựừứửữịỉỳỷỹỵđơư",
        "th": "กขคงจฉชซญดตถทธนบปผพฟภมยรลวสหอะาิีึืุู่้",
    }
    assert set(letters) == set(LANGUAGES)
    chars = evidence_models.ocr.characters
    missing = {lang: sum(c not in chars for c in s) / len(s) for lang, s in letters.items()}
    assert {lang for lang, m in missing.items() if m > 0.2} == set(UNREAD_SUBTITLE_LANGUAGES)
    assert all(m == 0 for lang, m in missing.items() if lang not in UNREAD_SUBTITLE_LANGUAGES)
