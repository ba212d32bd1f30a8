"""Stage 1: decoding bytes robustly, and telling bad input apart with a reason."""
import codecs
import random

import pytest

from tasks.config import ReadConfig
from tasks.article import Reject
from tasks.read import DecodeError, Notice, control_ratio, decode_bytes, iter_inputs, read_documents

RUSSIAN = ("Президент заявил журналистам, что переговоры о перемирии продолжатся на следующей неделе в Женеве. "
           "Эксперты считают, что это важный шаг для всего региона, хотя стороны пока не договорились о повестке.")
UKRAINIAN = ("Уряд оголосив про нові заходи підтримки для переселенців, які втратили житло. "
             "Експерти вважають, що ці кроки допоможуть тисячам родин пережити зиму.")
FRENCH = ("Le gouvernement a annoncé de nouvelles mesures pour les agriculteurs touchés par la sécheresse. "
          "« C'est une décision très attendue », a déclaré la ministre, évoquant une aide de 200 millions d'euros.")
SPANISH = "El niño pidió a su abuela que le enseñara a bañarse en el río; mañana habrá fiesta en la ría de Bilbao."


@pytest.mark.parametrize("text,encoding", [
    (RUSSIAN, "cp1251"), (RUSSIAN, "koi8-r"), (UKRAINIAN, "cp1251"), (UKRAINIAN, "koi8-u"),
    (FRENCH, "latin-1"), (FRENCH, "cp1252"), (SPANISH, "cp1252"), (SPANISH, "latin-1"),
])
def test_legacy_single_byte_encodings_come_out_right(text, encoding):
    decoded, _ = decode_bytes(text.encode(encoding))
    assert decoded == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32"])
def test_unicode_with_and_without_bom(encoding):
    decoded, _ = decode_bytes(("Заголовок\n\n" + RUSSIAN).encode(encoding))
    assert decoded == "Заголовок\n\n" + RUSSIAN


def test_declared_charset_wins_over_detection():
    html = f'<html><head><meta charset="windows-1251"><title>т</title></head><body><p>{RUSSIAN}</p></body></html>'
    decoded, encoding = decode_bytes(html.encode("cp1251"))
    assert RUSSIAN in decoded and codecs.lookup(encoding).name == "cp1251"


def test_wrong_declaration_falls_back_to_detection():
    html = f'<html><head><meta charset="utf-8"></head><body><p>{RUSSIAN}</p></body></html>'
    decoded, _ = decode_bytes(html.encode("koi8-r"))
    assert RUSSIAN in decoded


def test_valid_utf8_wins_over_a_wrong_single_byte_declaration():
    # a template declares ISO-8859-1 / windows-1252 while the CMS writes UTF-8: reading the declaration makes mojibake
    for declared in ("iso-8859-1", "windows-1252", "iso-8859-2"):
        html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}"></head>'
                f'<body><p>Größere Fähren für Köln – „bald“, sagt die Stadt. {RUSSIAN}</p></body></html>')
        decoded, encoding = decode_bytes(html.encode("utf-8"), declared=declared)
        assert encoding == "utf-8" and "Größere Fähren für Köln – „bald“" in decoded and RUSSIAN in decoded
    # real windows-1252 bytes (not valid UTF-8) still follow the declaration
    html = '<html><head><meta charset="windows-1252"></head><body><p>Größere Fähren – bald</p></body></html>'
    assert "Größere Fähren – bald" in decode_bytes(html.encode("cp1252"))[0]


def test_a_few_nul_bytes_in_text_are_dropped_not_a_binary_reject():
    page = ("<html><body><p>" + "Die Fähre fährt ab Juni alle zwanzig Minuten. " * 40 + "</p>\x00\x00"
            "<p>Ende.</p></body></html>").encode("utf-8")
    decoded, _ = decode_bytes(page)
    assert "\x00" not in decoded and "Ende." in decoded


@pytest.mark.parametrize("data,reason", [
    (b"", "empty_file"),
    (b"  \n\t\n", "empty_file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary"),
    (b"text\x00with\x00nul\x01\x02\x03\x00bytes" * 20, "binary"),
    (bytes(random.Random(7).randrange(128, 256) for _ in range(2048)), "undecodable"),
])
def test_bad_bytes_are_rejected_with_a_reason(data, reason):
    with pytest.raises(DecodeError) as caught:
        decode_bytes(data)
    assert caught.value.reason == reason


def test_read_documents_rejects_files_over_the_size_limit_without_reading_them(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    good = tmp_path / "good.txt"
    good.write_text("Title\n\nBody text.", encoding="utf-8")
    result = read_documents([("s", big), ("s", good)], ReadConfig())
    assert [d.location for d in result.items] == [good.resolve().as_uri()]
    assert [(r.reason, r.location) for r in result.rejects] == [("too_large", big.resolve().as_uri())]


def test_iter_inputs_names_sources_and_rejects_unknown_kinds(tmp_path):
    site = tmp_path / "my-site"
    (site / "2024").mkdir(parents=True)
    (site / "a.txt").write_text("A\n\nb", encoding="utf-8")
    (site / "2024" / "b.html").write_text("<p>x</p>", encoding="utf-8")
    (site / "logo.png").write_bytes(b"\x89PNG")
    (site / ".hidden.txt").write_text("x", encoding="utf-8")
    items = list(iter_inputs(str(site))) + list(iter_inputs(str(tmp_path / "missing")))
    pairs = [item for item in items if isinstance(item, tuple)]
    rejects = [item for item in items if isinstance(item, Reject)]
    assert [p.name for _, p in pairs] == ["a.txt", "b.html"]  # sorted, files of a directory before its subdirectories
    assert {name for name, _ in pairs} == {"my-site"}
    assert sorted((r.reason, r.source) for r in rejects) == [
        ("not_found", tmp_path.name), ("unsupported_type", "my-site")]  # a missing path is named after its directory
    # a hidden file is neither read nor rejected: it is passed over and counted (read.include_hidden reads it)
    assert [(n.path.name, n.reason) for n in items if isinstance(n, Notice)] == [(".hidden.txt", "hidden_file")]
    assert ".hidden.txt" in [p.name for _, p in (i for i in iter_inputs(str(site), include_hidden=True)
                                                 if isinstance(i, tuple))]
    renamed = [item for item in iter_inputs(str(site), name="renamed") if not isinstance(item, Notice)]
    assert {item[0] if isinstance(item, tuple) else item.source for item in renamed} == {"renamed"}


def test_html_bytes_travel_with_the_text_only_when_they_are_the_text_in_utf8(tmp_path):
    """The parser takes a page's bytes instead of encoding its text again: only bytes that are the text exactly."""
    from tasks.parse import parse_html

    body = "".join(f"<p>{sentence}.</p>" for sentence in FRENCH.split(". "))
    page = (f'<!DOCTYPE html><html lang="fr"><head><meta charset="{{}}"><title>Sécheresse : l’aide arrive</title>'
            f'</head><body><header><nav><a href="/">Accueil</a></nav></header><article><h1>Sécheresse : l’aide '
            f'arrive</h1>{body}</article><aside>À lire aussi</aside></body></html>')
    files = {"utf8.html": page.format("utf-8").encode("utf-8"),
             # valid UTF-8 under a template's Latin-1 declaration: UTF-8 it is, and the parser must not re-decode it
             "declared.html": page.format("iso-8859-1").encode("utf-8"),
             "bom.html": codecs.BOM_UTF8 + page.format("utf-8").encode("utf-8"),
             "nul.html": page.format("utf-8").encode("utf-8").replace(b"<article>", b"<article>\x00"),
             "cp1252.html": page.format("windows-1252").replace("’", "'").encode("cp1252"),
             "story.txt": ("Sécheresse\n\n" + FRENCH).encode("utf-8")}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    docs = {d.location.rsplit("/", 1)[1]: d for d in read_documents(
        [("s", tmp_path / name) for name in files], ReadConfig()).items}
    assert [docs[n].data for n in ("bom.html", "nul.html", "cp1252.html", "story.txt")] == [b""] * 4
    for name in ("utf8.html", "declared.html"):
        doc = docs[name]
        assert doc.data == files[name]
        assert parse_html(doc.text, None, doc.data) == parse_html(doc.text)
        title, paragraphs, _ = parse_html(doc.text, None, doc.data)
        assert title == "Sécheresse : l’aide arrive" and "« C'est une décision très attendue »" in paragraphs[-1][0]


def test_control_characters_are_counted_but_white_space_is_not():
    # NUL, BEL, two C1 controls, DEL, VT, US and FS among 18 characters; tab, line feed, form feed, carriage
    # return and the line separator are white space
    assert control_ratio("ab\x00c\x07d\x9f\x85\u2028e\x7f\x0b\x0c\t\n\r\x1f\x1c") == 8 / 18
    assert control_ratio("Пресс-релиз\t\r\n\x0c" * 10) == 0.0
    assert control_ratio("\ud800 a lone surrogate is no control character") == 0.0
