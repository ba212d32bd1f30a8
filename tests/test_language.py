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


def test_an_article_quoting_another_language_keeps_its_own_and_records_both():
    from tasks.article import Article
    from tasks.language import detect_article_languages

    quote = ("«Мы не позволим закрыть завод, пока у рабочих нет другой работы в городе», — заявил глава "
             "профсоюза на собрании в понедельник.")
    article = Article("s", "u", "u", "t", [])
    article.body = "\n\n".join([ENGLISH, quote, "He declined to comment.", ENGLISH.replace("Tuesday", "Friday")])
    detect_article_languages([article], CONFIG)
    assert article.language == "en"
    assert set(article.languages) == {"en", "ru"}
    assert 0.2 < article.languages["ru"] < 0.5 and abs(sum(article.languages.values()) - 1) < 1e-6


def test_a_body_of_only_short_paragraphs_is_judged_whole_and_tiny_text_is_und():
    from tasks.article import Article
    from tasks.language import detect_article_languages

    short, tiny = Article("s", "a", "a", "t", []), Article("s", "b", "b", "t", [])
    short.body = "Der Rat tagt heute.\n\nDie Bürger sind eingeladen.\n\nDer Eintritt ist frei für alle."
    tiny.body = "OK."
    detect_article_languages([short, tiny], CONFIG)
    assert (short.language, tiny.language, tiny.languages) == ("de", "und", {})
