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


# --- evidence beyond the detector (issue 28): scripts, declared languages, code pages, quotations and names ---

def _page(lang: str, title: str, paragraphs: list[str], furniture: list[str] = ()) -> str:
    """A news page as sites serve it: menu, consent banner, the story, a related-stories rail, the footer."""
    import html

    story = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    extra = "".join(f"<p>{html.escape(line)}</p>" for line in furniture)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '</head><body><nav><a href="/">Home</a><a href="/news">News</a><a href="/sport">Sport</a></nav>'
            '<div class="cookie-consent">We use cookies to improve your experience. <button>Accept</button></div>'
            f'<main><article><h1>{html.escape(title)}</h1>{story}{extra}</article>'
            '<aside class="related"><h2>Related</h2><ul><li><a href="/a">Markets close higher</a></li>'
            '<li><a href="/b">Weather: rain expected</a></li></ul></aside></main>'
            '<footer>© 2025 News Group. All rights reserved.</footer></body></html>')


def _read_page(page: str, url: str = "https://news.example/story"):
    """Parse, clean and detect one page the way a run does; return the article."""
    from tasks.clean import clean_articles
    from tasks.config import CleanConfig
    from tasks.language import detect_article_languages
    from tasks.parse import build_article

    article = build_article("site", url, url, "html", page)
    article, = clean_articles([article], CleanConfig()).items
    detect_article_languages([article], CONFIG)
    return article


TAIWAN = ["高雄市政府昨天宣布，輕軌第二階段工程將在明年年底全線通車，屆時從凱旋中華站到愛河之心只需要二十五分鐘。",
          "交通局長表示，這項計畫總經費約一百二十億元新臺幣，其中六成由中央政府補助，沿線將設置十八座車站。",
          "不少民眾認為輕軌改變了港區的生活，但也有商家擔心施工期間車輛無法進出，影響營業收入，希望市府提出補償辦法。",
          "議會預計下週審查追加預算，部分議員要求市府說明工程延宕的原因，並公開與承包商簽訂的合約內容。"]
MAINLAND = ["成都市政府昨天宣布，地铁十三号线一期工程将于明年年底全线通车，届时从天府广场到金融城只需要二十五分钟。",
            "交通局负责人表示，这项计划总投资约一百二十亿元人民币，其中六成由中央政府补助，沿线将设置十八座车站。",
            "不少市民认为地铁改变了城南的生活，但也有商家担心施工期间车辆无法进出，影响营业收入，希望政府提出补偿办法。",
            "市人大预计下周审议追加预算，部分代表要求政府说明工程延误的原因，并公开与承包商签订的合同内容。"]


def test_a_traditional_chinese_page_is_zh_tw_a_simplified_one_zh_cn_and_neither_korean():
    import langdetect_rs

    assert langdetect_rs.detect("".join(TAIWAN)) == "ko"  # the detector alone: no Hangul, yet Korean (inherited)
    taiwan = _read_page(_page("zh-Hant-TW", "高雄輕軌明年全線通車", TAIWAN))
    mainland = _read_page(_page("zh-CN", "成都地铁十三号线明年通车", MAINLAND))
    assert (taiwan.language, mainland.language) == ("zh-tw", "zh-cn")
    assert "ko" not in taiwan.languages and "ko" not in mainland.languages
    # with no declaration at all (or a wrong one), the characters still tell
    assert _read_page(_page("en", "高雄輕軌明年全線通車", TAIWAN)).language == "zh-tw"
    assert _read_page(_page("", "成都地铁十三号线明年通车", MAINLAND)).language == "zh-cn"


TURKISH = ["Ankara Büyükşehir Belediyesi, kentin batısındaki yeni metro hattının ihalesinin önümüzdeki ay "
           "yapılacağını açıkladı. Hattın üç yıl içinde tamamlanması ve günde iki yüz bin yolcu taşıması bekleniyor.",
           "Projeyi inceleyen Polonyalı mühendis Małgorzata Wróblewska-Żółtowska, Varşova'daki benzer bir hattın "
           "deneyimlerini aktardı ve zeminin çok dikkatli incelenmesi gerektiğini söyledi.",
           "Toplantıya katılan Łukasz Błaszczykowski ise tünel inşaatında kullanılacak makinelerin Gdańsk "
           "limanından getirileceğini belirtti. Muhalefet partileri maliyetin çok yüksek olduğunu ileri sürdü."]


def test_a_turkish_article_quoting_a_polish_engineer_stays_turkish():
    assert _read_page(_page("tr", "Ankara'da yeni metro hattı için ihale tarihi belli oldu", TURKISH)).language == "tr"
    assert _article_language("\n\n".join(TURKISH)) == "tr"  # the bare text too: names never cost the label


def test_a_turkish_page_read_through_a_western_code_page_is_repaired_and_turkish():
    """Older Turkish sites declare ISO-8859-1 and write windows-1254: ı ş ğ arrive as ý þ ð."""
    from tasks.read import decode_bytes

    page = _page("tr", "Ankara'da yeni metro hattı için ihale tarihi belli oldu", TURKISH[:1] + TURKISH[2:])
    data = page.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">').encode("cp1254", errors="replace")
    text, _ = decode_bytes(data)
    assert "Büyükþehir" in text  # what the reader sees, as the page declares it
    article = _read_page(text)
    assert article.language == "tr"
    assert "Büyükşehir Belediyesi" in article.body and "yapılacağını" in article.body and "þ" not in article.body
    assert article.title == "Ankara'da yeni metro hattı için ihale tarihi belli oldu"


def test_icelandic_keeps_its_letters_and_is_und_not_a_repaired_turkish_or_norwegian_text():
    article = _read_page(_page("is", "Ný brú byggð yfir ána", [ICELANDIC, ICELANDIC.replace("gær", "dag")]))
    assert "þurfa" in article.body and "byggð" in article.body  # þ and ð are Icelandic letters here
    assert article.language == "und"


def test_romanian_whose_diacritics_were_lost_and_read_through_cp1250_stays_romanian():
    romanian = ("Guvernul a anunțat astăzi că bugetul pentru anul viitor va fi majorat cu zece procente, iar "
                "cheltuielile pentru sănătate și educație vor crește mai mult decât în acest an, potrivit ministrului.")
    lost = "".join("\ufffd" if ch in "ăâîșț" else ch for ch in romanian).encode("utf-8").decode("cp1250")
    assert "ďż˝" in lost
    from tasks.article import Article
    from tasks.clean import clean_articles
    from tasks.config import CleanConfig
    from tasks.language import detect_article_languages
    from tasks.parse import build_article

    article = build_article("site", "file:///ro.txt", "file:///ro.txt", "txt", "Bugetul crește\n\n" + lost + "\n")
    assert "ďż˝" not in article.paragraphs[0][0] and "\ufffd" in article.paragraphs[0][0]
    article, = clean_articles([article], CleanConfig()).items
    detect_article_languages([article], CONFIG)
    assert article.language == "ro"


HINDI = ["राज्य सरकार ने मंगलवार को शहर में नई मेट्रो लाइन के निर्माण को मंजूरी दे दी। यह लाइन पुराने शहर को नए "
         "औद्योगिक क्षेत्र से जोड़ेगी और इससे रोज़ाना लाखों लोगों को फायदा होगा।",
         "अधिकारियों ने बताया कि परियोजना पर करीब नौ हजार करोड़ रुपये खर्च होंगे।"]
FURNITURE = ["Download our app for breaking news alerts and the latest updates from across the country, free.",
             "Disclaimer: The views expressed in the comments are those of the readers and not of this website.",
             "Subscribe to our YouTube channel for the latest videos, exclusive interviews and live coverage."]


def test_a_hindi_page_whose_english_furniture_was_left_in_is_hindi():
    article = _read_page(_page("hi", "शहर में नई मेट्रो लाइन को मंजूरी", HINDI, FURNITURE))
    kept = [p for p in article.body.split("\n\n") if p in FURNITURE]
    assert len(kept) >= 2  # furniture the cleaner did not know: the language must not follow it
    assert article.language == "hi" and article.languages["en"] > 0.35, article.languages


def test_a_page_that_declares_its_templates_english_keeps_the_language_of_its_text():
    spanish = ["El ayuntamiento aprobó este lunes el plan para renovar el mercado central, cerrado desde hace dos "
               "años por problemas en la estructura del tejado y en las instalaciones eléctricas.",
               "Las obras costarán unos doce millones de euros y deberían terminar antes del verano del año que viene, "
               "según explicó la concejala de urbanismo durante el pleno municipal."]
    quote = ("\"We are proud to support the renovation of one of the oldest markets in the region,\" the European "
             "Investment Bank said in a statement published on its website on Monday.")
    article = _read_page(_page("en-US", "El ayuntamiento aprueba la reforma del mercado central", spanish + [quote]))
    assert article.language == "es" and "en" in article.languages


def test_an_english_story_quoting_a_polish_paragraph_keeps_english():
    polish = ("„Nie możemy dłużej czekać, bo każdy miesiąc zwłoki kosztuje gminę coraz więcej pieniędzy” – "
              "powiedział wójt gminy na zebraniu mieszkańców w środę wieczorem.")
    body = "\n\n".join([ENGLISH, polish, ENGLISH.replace("Tuesday", "Friday")])
    from tasks.article import Article
    from tasks.language import detect_article_languages

    article = Article("s", "x", "x", "t", [], body=body)
    detect_article_languages([article], CONFIG)
    assert article.language == "en" and "pl" in article.languages


SERBIAN = ("Градска управа саопштила је да ће следеће године почети изградња новог моста преко реке, који ће "
           "повезати два дела града. Према подацима управе, пројекат ће коштати око двеста милиона евра, а радови "
           "би требало да трају три године, изјавила је заменица градоначелника Ђурђина Ћирић.")
GEORGIAN = ("თბილისის მერიამ განაცხადა, რომ მომავალ წელს ქალაქში ახალი ხიდის მშენებლობა დაიწყება. პროექტი "
            "დაახლოებით ორას მილიონ ლარი დაჯდება და სამუშაოები სამ წელს გაგრძელდება.")


def test_serbian_cyrillic_is_und_not_macedonian_and_georgian_is_named_by_its_script():
    assert detect_languages([SERBIAN], CONFIG)[0][0] in ("mk", "bg", "ru")  # the detector alone: a neighbour
    assert _article_language(SERBIAN) == "und"
    assert _article_language(GEORGIAN) == "ka"  # a script only Georgian writes (the detector has no profile)


def test_the_declared_language_is_read_from_html_lang_og_locale_and_the_content_language_header():
    from tasks.extract import extract_article
    from tasks.language import normalize_declared

    meta, _ = extract_article('<html><head><meta http-equiv="Content-Language" content="pt-BR"><title>t</title>'
                              '</head><body><article><p>Texto.</p></article></body></html>')
    assert meta["declared_language"] == "pt-BR"
    assert [normalize_declared(v) for v in ("zh_TW", "zh-Hant-HK", "zh-Hans", "zh", "nb-NO", "iw", "de-DE", "")] == [
        "zh-tw", "zh-tw", "zh-cn", "zh", "no", "he", "de", None]
