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


# Languages the detector has no profile for (written for these tests: a school-building story in each).
ZULU = ("Umongameli uthe uhulumeni uzokwakha izikole ezintsha ezifundazweni ezintathu ngonyaka ozayo, kanti abafundi "
        "abaningi bazothola ithuba lokufunda eduze namakhaya abo. Abazali bathi sebelinde isikhathi eside ukuthi "
        "lezi zikole zakhiwe, ngoba izingane zabo zihamba amakhilomitha amaningi nsuku zonke.")
XHOSA = ("Urhulumente uthe uza kwakha izikolo ezintsha kumaphondo amathathu kunyaka ozayo, kwaye abafundi abaninzi "
         "baza kufumana ithuba lokufunda kufutshane namakhaya abo. Abazali bathi bebelinde ixesha elide ukuba ezi "
         "zikolo zakhiwe, kuba abantwana babo bahamba iikhilomitha ezininzi yonke imihla.")
ICELANDIC = ("Ríkisstjórnin tilkynnti í gær að ný brú yrði byggð yfir ána á næsta ári og að framkvæmdir myndu hefjast "
             "strax í vor. Íbúar bæjarins hafa lengi beðið eftir brúnni, enda þurfa margir að aka langa leið til "
             "vinnu á hverjum degi.")
# ... and their nearest neighbours, which must keep their language
SWAHILI = ("Serikali imetangaza jana kwamba shule mpya zitajengwa katika mikoa mitatu mwaka ujao, na wanafunzi wengi "
           "watapata nafasi ya kusoma karibu na nyumbani kwao. Wazazi wamesema wamesubiri kwa muda mrefu shule hizo "
           "zijengwe, kwa sababu watoto wao hutembea kilomita nyingi kila siku.")
NORWEGIAN = ("Regjeringen kunngjorde i går at en ny bro skal bygges over elva neste år, og at arbeidet skal starte "
             "allerede i vår. Innbyggerne i byen har lenge ventet på broen, siden mange må kjøre en lang omvei til "
             "jobben hver dag.")


def _article_language(body: str) -> str:
    from tasks.article import Article
    from tasks.language import detect_article_languages

    article = Article("s", "x", "x", "t", [], body=body)
    detect_article_languages([article], CONFIG)
    return article.language


@pytest.mark.parametrize("body,nearest", [(ZULU, "sw"), (XHOSA, "sw"), (ICELANDIC, "no")])
def test_a_language_without_a_profile_is_und_not_its_nearest_neighbour(body, nearest):
    assert detect_languages([body], CONFIG)[0][0] == nearest  # what the detector alone says, confidently
    assert _article_language(body) == "und"


@pytest.mark.parametrize("body,expected", [(SWAHILI, "sw"), (NORWEGIAN, "no"), *((t, l) for l, t in TEXTS.items()),
                                           # Indonesian quoting Arabic script keeps its language
                                           ("Menteri Agama mengatakan bahwa masjid itu akan dibuka kembali untuk "
                                            "umum pada bulan depan, dan para jamaah bisa kembali beribadah di sana "
                                            "seperti biasa. «بسم الله الرحمن الرحيم» tertulis di atas pintu masuk "
                                            "yang baru saja diperbaiki oleh warga.", "id")])
def test_languages_with_a_profile_keep_their_label(body, expected):
    assert _article_language(body) == expected
