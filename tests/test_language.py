"""Stage 4: deterministic language detection, with langdetect-rs proven equal to langdetect."""
import pytest

from tasks.config import LanguageConfig
from tasks.language import detect_languages

from .conftest import EXAMPLES
from .test_read import FRENCH, RUSSIAN, SPANISH, UKRAINIAN

ENGLISH = ("The city council voted on Tuesday to extend the tram line to the airport, a project that has been "
           "debated for more than a decade and is expected to cost about 300 million euros.")
GERMAN = ("Der Stadtrat hat am Dienstag beschlossen, die Straßenbahnlinie bis zum Flughafen zu verlängern. "
          "Das Projekt wird seit mehr als zehn Jahren diskutiert und soll rund 300 Millionen Euro kosten.")
TEXTS = {"en": ENGLISH, "de": GERMAN, "fr": FRENCH, "es": SPANISH, "ru": RUSSIAN, "uk": UKRAINIAN}
CONFIG = LanguageConfig()


def test_detects_the_six_pipeline_languages():
    found = detect_languages(list(TEXTS.values()), CONFIG)
    assert [lang for lang, _ in found] == list(TEXTS)
    assert all(p > 0.9 for _, p in found)


@pytest.mark.parametrize("text", ["", "   ", "12:45 — 3:1", "OK", "Kyiv"])
def test_too_short_or_letterless_text_is_und_not_an_error(text):
    assert detect_languages([text], CONFIG) == [("und", 0.0)]


def test_detection_is_deterministic():
    short = "Ja, das ist gut so und wir machen weiter mit der Sache hier"
    assert len({tuple(detect_languages([short], CONFIG)) for _ in range(20)}) == 1


def test_langdetect_rs_gives_langdetects_answers_bit_for_bit():
    langdetect = pytest.importorskip("langdetect", reason="langdetect (a dev dependency) is needed for parity")
    from langdetect import DetectorFactory as ReferenceFactory
    import langdetect_rs

    ReferenceFactory.seed = 0
    from tasks.read import decode_bytes

    example_texts = [decode_bytes(p.read_bytes())[0] for p in sorted(EXAMPLES.glob("*/*.txt"))]
    assert len(example_texts) >= 14
    samples = example_texts + list(TEXTS.values()) + [
        "Short mixed text: Привет, how are you?", "Ja, das ist gut so und wir machen weiter",
        ENGLISH + " " + RUSSIAN, "Ce n'est pas la même chose que l'année dernière, dit-il.",
    ]
    for text in samples:
        reference = [(l.lang, l.prob) for l in langdetect.detect_langs(text)]
        ported = [(l.lang, l.prob) for l in langdetect_rs.detect_langs_batch([text])[0]]
        assert ported == reference, text
