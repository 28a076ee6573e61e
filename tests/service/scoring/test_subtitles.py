"""Wrapped caption lines joined; speech read from the subtitle that shows it."""

from __future__ import annotations

import pytest

from service.evidence.types import Caption, Pacing, Segment, Transcript, VideoEvidence
from service.media import MediaInfo
from service.scoring.lines import collect_lines
from service.scoring.subtitles import (
    SUBTITLE_AGREEMENT,
    caption_blocks,
    join_lines,
    read_subtitles,
    text_agreement,
)

LINE_H = 0.05  # a caption line's height, as a share of the frame


def _line(text: str, row: int, start: float, end: float, top: float = 0.70) -> Caption:
    """The ``row``-th line of a caption whose first line's top is at ``top``."""
    y0 = top + row * LINE_H
    return Caption(text, start, end, (0.1, y0, 0.9, y0 + LINE_H), 0.98)


WRAPPED = (
    "La rueda abdominal es",
    "doble, de 18 centímetros, y",
    "trae rodilleras de espuma",
    "incluidas.",
)
WHOLE = "La rueda abdominal es doble, de 18 centímetros, y trae rodilleras de espuma incluidas."
HEARD = "La ruena momeal es mole, de 18 centímetros, y traeron hielas nespuma incluidas."


def test_the_lines_of_a_wrapped_caption_are_one_caption():
    lines = [_line(t, i, 28.1, 35.1) for i, t in enumerate(WRAPPED)]
    label = Caption("LYLY", 0.0, 40.0, (0.44, 0.37, 0.66, 0.44), 0.99)  # on the product
    title = _line("STOP SCROLLING", 0, 28.1, 35.1, top=0.10)  # same time, top of the frame
    blocks = caption_blocks([*reversed(lines), label, title])
    assert [b.text for b in blocks] == ["LYLY", "STOP SCROLLING", WHOLE]  # time, then top
    whole = blocks[2]
    assert (whole.start_s, whole.end_s) == (28.1, 35.1)
    assert whole.box == pytest.approx((0.1, 0.70, 0.9, 0.70 + 4 * LINE_H))


def test_a_line_read_a_second_later_joins_but_the_next_page_does_not():
    late = [_line("Hei ja tervetuloa, kiva että", 0, 1.0, 3.6), _line("löysit tänne.", 1, 2.0, 3.6)]
    assert [b.text for b in caption_blocks(late)] == ["Hei ja tervetuloa, kiva että löysit tänne."]
    # two pages of one subtitle, one after the other in the same place: two captions
    pages = [_line("first page of it", 0, 1.0, 2.0), _line("second page of it", 0, 2.0, 3.0)]
    assert len(caption_blocks(pages)) == 2
    # a line far below, or in another type size, is another caption
    far = [_line("one thing", 0, 1.0, 3.0), _line("another thing", 4, 1.0, 3.0)]
    assert len(caption_blocks(far)) == 2
    big = Caption("BIG", 1.0, 3.0, (0.1, 0.75, 0.9, 0.75 + 3 * LINE_H), 0.9)
    assert len(caption_blocks([_line("small", 0, 1.0, 3.0), big])) == 2


def test_lines_of_a_chinese_caption_join_without_a_space():
    lines = [_line("这款面霜含有", 0, 1.0, 4.0), _line("百分之五烟酰胺", 1, 1.0, 4.0)]
    assert caption_blocks(lines)[0].text == "这款面霜含有百分之五烟酰胺"
    assert join_lines(["30% off", "这款"]) == "30% off 这款"


def test_text_agreement_ignores_case_spacing_and_punctuation():
    assert text_agreement("Hello, World!", "hello world") == 1.0
    assert text_agreement(WHOLE, HEARD) >= SUBTITLE_AGREEMENT
    assert text_agreement(WHOLE, "Mis hijos no comen verdura ni de chiste") < 0.3
    assert text_agreement("a", "a") == 0.0


def test_a_misheard_sentence_is_read_from_its_subtitle():
    said = [
        Segment("Mis hijos no comen verdura ni de chiste.", 20.0, 26.5),
        Segment(HEARD, 27.2, 33.7),
        Segment("Pidan antes de las dos.", 34.0, 36.0),
    ]
    subtitle = caption_blocks([_line(t, i, 28.1, 35.1) for i, t in enumerate(WRAPPED)])
    out = read_subtitles(said, subtitle)
    assert [ln.text for ln in out] == [said[0].text, WHOLE, said[2].text]
    assert (out[1].start_s, out[1].end_s, out[1].heard) == (27.2, 33.7, HEARD)
    assert out[0].heard is None and out[2].heard is None


def test_a_key_phrase_or_a_caption_at_another_time_is_no_subtitle():
    said = [Segment("This serum has thirty percent vitamin C and it brightens in a week.", 2, 7)]
    phrase = [Caption("30% VITAMIN C", 3.0, 6.0, (0.1, 0.7, 0.9, 0.75), 0.9)]
    assert read_subtitles(said, phrase)[0].heard is None
    same_words_later = [Caption(said[0].text, 12.0, 16.0, (0.1, 0.7, 0.9, 0.75), 0.9)]
    assert read_subtitles(said, same_words_later)[0].heard is None


def test_a_subtitle_in_pages_and_a_caption_over_two_sentences():
    box = (0.1, 0.8, 0.9, 0.85)
    said = [Segment("this blender crushes ice in ten seconds flat no lumps", 1.0, 5.0)]
    pages = [
        Caption("This blender crushes ice", 1.2, 3.0, box, 0.9),
        Caption("in 10 seconds flat, no lumps", 3.0, 5.3, box, 0.9),
    ]
    (line,) = read_subtitles(said, pages)
    assert line.text == "This blender crushes ice in 10 seconds flat, no lumps"
    # Whisper cut one subtitled line in two: the caption reads both as one line
    cut = [
        Segment("Hola, ¿qué tal?", 0.1, 1.1),
        Segment("No te tomes esa pastilla tonalía.", 2.5, 4.4),
    ]
    caption = [Caption("Hola, ¿qué tal? No te tomes esa pastilla todavía.", 1.0, 5.0, box, 0.9)]
    (line,) = read_subtitles(cut, caption)
    assert (line.start_s, line.end_s) == (0.1, 4.4)
    assert line.heard == "Hola, ¿qué tal? No te tomes esa pastilla tonalía."


def test_collect_lines_reads_subtitled_speech_and_joined_captions():
    media = MediaInfo("v.mp4", "mp4", 1, 40.0, 720, 1280, 0, 30.0, "h264", True, "aac", 1)
    transcript = Transcript("es", 0.9, "given", (Segment(HEARD, 27.2, 33.7),))
    captions = tuple(_line(t, i, 28.1, 35.1) for i, t in enumerate(WRAPPED))
    ev = VideoEvidence(media, (), (), captions, transcript, Pacing(3.0, 0.8, 0.2, 1.0, 1.0, 5.0))
    lines = collect_lines(ev)
    assert [(ln.source, ln.text, ln.heard) for ln in lines] == [
        ("speech", WHOLE, HEARD),
        ("caption", WHOLE, None),
    ]


def test_no_subtitle_is_read_in_a_language_the_text_reader_cannot_write():
    said = [Segment("Ngô dời không tồn mời tồ, sáng nào cũng tỉnh táo.", 1.0, 5.0)]
    ocr = [Caption("Ng dy không còn mi c, sáng nào cũng tinh táo.", 1.2, 5.3, (0, 0.8, 1, 0.85), 1)]
    assert read_subtitles(said, ocr, "en")[0].heard is not None  # the pair would be made
    assert read_subtitles(said, ocr, "vi")[0].heard is None
