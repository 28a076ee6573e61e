"""Video-level scores built from scored lines (a table-driven stand-in for the heads)."""

from __future__ import annotations

import pytest

from models.heads import TASK_LABELS, SentenceScores
from service.evidence.types import (
    Caption,
    Cut,
    FaceFrame,
    Pacing,
    Segment,
    Transcript,
    VideoEvidence,
    Word,
)
from service.media import MediaInfo
from service.scoring.video import score_evidence, script_evidence, script_sentences


class TableScorer:
    """Returns fixed head outputs per text: a unit-test double for models.heads.SentenceScorer."""

    tag = "table:1"

    def __init__(self, table: dict[str, dict]) -> None:
        self.table = table

    def score(self, texts):
        out = []
        for t in texts:
            spec = self.table.get(t, {})
            probs = {}
            for task, labels in TASK_LABELS.items():
                want = spec.get(task)
                p = {lb: (0.9 if lb == want else 0.1 / (len(labels) - 1)) for lb in labels}
                if want is None:
                    p = {lb: 1 / len(labels) for lb in labels}
                    if task in ("fabe_role", "cta", "clickbait"):  # unspecified: no point, no CTA
                        p = {
                            lb: (0.9 if lb in ("none", "no") else 0.1 / (len(labels) - 1))
                            for lb in labels
                        }
                probs[task] = p
            out.append(SentenceScores(t, probs))
        return out


def _evidence(segments, captions=(), cuts=(), faces=(), duration=20.0):
    media = MediaInfo("v.mp4", "mp4", 1, duration, 720, 1280, 0, 30.0, "h264", True, "aac", 1)
    t = Transcript("en", 0.99, "detected", tuple(Segment(tx, a, b) for tx, a, b in segments))
    return VideoEvidence(
        media, tuple(cuts), tuple(faces), tuple(captions), t, Pacing(2.5, 0.8, 0.2, 1.0, 1.0, 5.0)
    )


STRONG = {"hook_strength": "strong", "hook_type": "price_shock", "intent": "sell"}
TABLE = {
    "Nine ninety nine for a full air fryer.": STRONG,
    "It has a 1500 W motor.": {"fabe_role": "feature", "intent": "neutral"},
    "Crisps in 10 minutes, not 40 like an oven.": {"fabe_role": "advantage", "intent": "seed"},
    "I use it every morning for my kids.": {"intent": "seed"},
    "Tap the yellow cart now.": {"intent": "sell", "cta": "yes"},
    "1500 W MOTOR": {"fabe_role": "feature"},
}


def test_scores_of_a_well_built_video():
    ev = _evidence(
        [("Nine ninety nine for a full air fryer.", 0.2, 2.5),
         ("It has a 1500 W motor.", 3.0, 5.0),
         ("Crisps in 10 minutes, not 40 like an oven.", 5.5, 8.0),
         ("I use it every morning for my kids.", 8.5, 12.0),
         ("Tap the yellow cart now.", 15.0, 17.0)],
        captions=[Caption("1500 W MOTOR", 3.0, 5.5, (0.1, 0.7, 0.9, 0.8), 0.99)],
        cuts=[Cut(1.5, 0.6)], faces=[FaceFrame(0.5, 1, 0.2)],
    )  # fmt: skip
    s = score_evidence(ev, TableScorer(TABLE))
    assert s.hook.quote == "Nine ninety nine for a full air fryer."
    assert s.hook.hook_type == "price_shock" and s.hook.said_strength == pytest.approx(0.9)
    assert s.hook.score == pytest.approx(100 * (0.6 * 0.9 + 0.15 * 0 + 0.15 + 0.1))
    pts = s.selling_points.points
    assert [(p.role, p.shown_on_screen, p.specific) for p in pts] == [
        ("feature", True, True),
        ("advantage", False, True),
    ]
    assert s.selling_points.roles_covered == ("feature", "advantage")
    assert s.product.first_named_s == 3.0 and s.product.named_by == "selling_point"
    assert s.product.first_shown_s is None  # no product name given: unknown, not guessed
    assert s.seed_sell.cta_time_s == 15.0 and s.seed_sell.cta_quote == "Tap the yellow cart now."
    # the price hook sells at 0.2 s, but it is the hook; a feature comes next: not too early
    assert s.seed_sell.sell_turn_s == 0.2 and not s.seed_sell.sell_too_early
    assert (
        0 < s.seed_sell.seed_share < 1
        and s.seed_sell.seed_share + s.seed_sell.sell_share == pytest.approx(1)
    )
    assert len(s.seed_sell.curve) == 4 and s.seed_sell.curve[-1].sell > s.seed_sell.curve[1].sell


def test_weak_silent_opening_and_no_selling_point():
    ev = _evidence([("I use it every morning for my kids.", 6.0, 9.0)])
    s = score_evidence(ev, TableScorer(TABLE))
    assert s.hook.quote is None and s.hook.score == 0.0
    assert s.selling_points.score == 0.0 and s.selling_points.points == ()
    assert s.seed_sell.never_sells and s.seed_sell.cta_time_s is None
    assert s.seed_sell.seed_share == pytest.approx(0.9 / (0.9 + 0.05), abs=1e-3)


def test_script_evidence_places_sentences_on_a_timeline():
    ev = script_evidence("Stop scrolling. This pan is 30 cm!\n这款锅不粘。", language="en")
    segs = ev.transcript.segments
    assert [s.text for s in segs] == ["Stop scrolling.", "This pan is 30 cm!", "这款锅不粘。"]
    assert segs[0].start_s == 0.0
    assert all(a.end_s < b.start_s for a, b in zip(segs, segs[1:], strict=False))
    assert segs[2].end_s - segs[2].start_s == pytest.approx(1.0)  # 5 characters at 5 a second
    assert ev.media.duration_s >= segs[-1].end_s


# three seed-corpus lines (hook, feature, CTA), the first with a clause of its own
TH_LINES = [
    "ทำไมรองพื้นของเราถึงเป็นคราบตรงจมูกทุกบ่ายสองโมงคะ ใครเป็นบ้างยกมือ",
    "รองพื้นตัวนี้คุมมันได้สิบสองชั่วโมงเต็มแม้อากาศร้อน",
    "กดตะกร้าสีเหลืองด้านล่างได้เลยค่ะ ของมีจำนวนจำกัด",
]


def test_a_thai_script_in_one_paragraph_is_cut_into_its_sentences():
    # Thai has no full stop: one paragraph used to be one 150-character "sentence"
    assert script_sentences(" ".join(TH_LINES)) == TH_LINES
    # a short clause stays with its sentence, and a line per sentence is left as it is
    assert script_sentences("\n".join(TH_LINES)) == TH_LINES
    assert script_sentences(TH_LINES[0]) == [TH_LINES[0]]
    # prices and Latin words are no sentence break, and other scripts are untouched
    price = "ราคาพิเศษวันนี้เหลือเพียง 199 บาท จากปกติสามร้อยเก้าสิบเก้าบาทเท่านั้นนะคะทุกคน"
    cut = script_sentences(" ".join([price, *TH_LINES]))
    assert cut[0] == "ราคาพิเศษวันนี้เหลือเพียง 199 บาท" and cut[2:] == TH_LINES
    en = "this pan heats in ten seconds and you can wash it in the dishwasher " * 3
    assert script_sentences(en) == [en.strip()]


def test_product_first_shown_and_named_from_its_name():
    from service.scoring.product import name_in

    ev = _evidence(
        [("Okay so this one.", 0.5, 2.0),
         ("It has a 1500 W motor.", 3.0, 5.0),
         ("The Vortexa fryer is the one I use.", 6.0, 8.0)],
        captions=[Caption("1500 W MOTOR", 3.0, 5.5, (0.1, 0.7, 0.9, 0.8), 0.99),
                  Caption("VORTEXA", 4.5, 9.0, (0.3, 0.4, 0.7, 0.5), 0.9)],
    )  # fmt: skip
    s = score_evidence(ev, TableScorer(TABLE), product_name="Vortexa")
    assert s.product.first_shown_s == 4.5 and s.product.shown_evidence == "VORTEXA"
    assert s.product.first_named_s == 6.0 and s.product.named_by == "name"
    # a slip of OCR / ASR still matches a long name; a short name must match exactly
    assert name_in("the V0RTEXA air fryer", "Vortexa") and not name_in("Vitamin C serum", "Vortexa")
    assert name_in("AX-5", "ax5") and not name_in("max", "AX")
    missing = score_evidence(ev, TableScorer(TABLE), product_name="Glowly")
    assert missing.product.first_shown_s is None and missing.product.named_by == "selling_point"


def test_a_caption_that_shows_part_of_a_spoken_point_counts_as_shown():
    from service.scoring.selling_points import _covered

    said = "crispsin10minutesnot40likeanoven"
    assert _covered("crispsin10min", said) == 1.0  # one wrapped line of it
    assert _covered("cr1spsin10minu", said) >= 0.6  # with an OCR slip
    assert _covered("1500wmotor", said) < 0.3  # another point, close in time


def test_the_hook_reads_every_sentence_that_starts_in_the_window():
    opener = "Hey guys! Stop scrolling."
    table = {
        "Hey guys!": {"hook_strength": "weak", "hook_type": "greeting"},
        "Stop scrolling.": {"hook_strength": "strong", "hook_type": "pattern_interrupt"},
        opener: {"hook_strength": "strong", "hook_type": "pattern_interrupt"},
    }
    ev = _evidence([("Hey guys!", 0.1, 0.8), ("Stop scrolling.", 1.0, 2.0),
                    ("It has a 1500 W motor.", 3.2, 5.0)])  # fmt: skip
    s = score_evidence(ev, TableScorer({**TABLE, **table}))
    assert s.hook.quote == opener  # the third sentence starts after 3 s: not in the hook
    assert s.hook.hook_type == "pattern_interrupt" and s.hook.said_strength == pytest.approx(0.9)
    # the joined opening is scored for the hook only: the lines stay the sentences said
    assert [ln.text for ln in s.lines] == ["Hey guys!", "Stop scrolling.", "It has a 1500 W motor."]
    one = score_evidence(_evidence([("Hey guys!", 0.1, 0.8)]), TableScorer(table))
    assert one.hook.quote == "Hey guys!" and one.hook.hook_type == "greeting"


def test_a_point_chained_on_with_commas_is_found_at_its_own_time():
    # one run-on sentence as Whisper writes it: chat, then the claim, then chat again
    said = (
        "so I have been using this for a while now, "
        "It has a 1500 W motor, "
        "and honestly I use it every single day for my kids"
    )
    words = tuple(Word(w, 0.6 * i, 0.6 * i + 0.6, 0.9) for i, w in enumerate(said.split()))
    seg = Segment(said, words[0].start_s, words[-1].end_s, words)
    ev = _evidence([])
    ev = VideoEvidence(ev.media, (), (), (), Transcript("en", 0.99, "detected", (seg,)), ev.pacing)
    table = {"It has a 1500 W motor,": {"fabe_role": "feature"}}
    s = score_evidence(ev, TableScorer(table))
    [point] = s.selling_points.points
    assert point.text == "It has a 1500 W motor," and point.role == "feature"
    assert point.start_s == pytest.approx(6.0)  # its first word (the 11th), not 0.0
    assert [ln.text for ln in s.lines][0] == "so I have been using this for a while now,"
