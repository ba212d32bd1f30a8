"""Property tests: random bytes, file names, documents and URLs never escape a stage, and every input has exactly
one outcome (an article or a reject) there."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.article import Document
from tasks.config import ReadConfig
from tasks.parse import parse_documents
from tasks.read import DecodeError, decode_bytes, read_documents
from tasks.site import registrable_domain
from tasks.urls import BadUrl, checked_url

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# bytes that look like the web: fragments of markup, declarations, text in several scripts and encodings, and noise
FRAGMENTS = st.sampled_from([
    b"<html>", b"</html>", b"<head><meta charset='windows-1251'>", b"<meta charset=\"shift_jis\">", b"<body>",
    b"<p>", b"</p>", b"<h1>", b"<script>", b"<!--", b"-->", b"<![CDATA[", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00",
    "Мост открыт через реку.".encode("cp1251"), "Мост открыт через реку.".encode("koi8_r"),
    "東京都は二十日、発表した。".encode("shift_jis"), "北京市政府宣布。".encode("gb18030"),
    "Café à Zürich, straße.".encode("utf-8"), "Café à Zürich.".encode("latin-1"), b"\x1f\x8b\x08\x00",
    b"%PDF-1.7", b"<link rel=canonical href='http://[::1'>", b"\r\n\r\n", b" ", b"\t",
])
WEBBY_BYTES = st.one_of(st.binary(max_size=2000),
                        st.lists(st.one_of(FRAGMENTS, st.binary(max_size=40)), max_size=60).map(b"".join))


@SETTINGS
@given(WEBBY_BYTES, st.sampled_from([None, "utf-8", "windows-1251", "koi8-r", "shift_jis", "no-such-charset"]))
def test_decoding_any_bytes_gives_text_or_a_decode_error(data, declared):
    try:
        text, encoding = decode_bytes(data, declared=declared)
    except DecodeError as exc:
        assert exc.reason and exc.detail
        return
    assert isinstance(text, str) and encoding
    text.encode("utf-8")  # storable: no lone surrogates


@SETTINGS
@given(st.lists(st.tuples(st.text(min_size=1, max_size=30).filter(lambda n: "/" not in n and "\x00" not in n
                                                                   and n not in (".", "..")),
                          st.sampled_from([".txt", ".html", ".htm", ".jsonl", ".html.gz", ".xhtml"]), WEBBY_BYTES),
                min_size=1, max_size=6, unique_by=lambda t: t[0] + t[1]))
def test_reading_files_of_any_name_and_content_gives_one_outcome_each(files):
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for stem, suffix, data in files:
            path = Path(folder) / (stem + suffix)
            try:
                path.write_bytes(data)
            except (OSError, ValueError, UnicodeEncodeError):
                continue  # a name the file system refuses
            paths.append(("fuzz", path))
        result = read_documents(paths, ReadConfig())
        assert len(result.items) + len(result.rejects) == len(paths)
        for item in result.items + result.rejects:
            item.location.encode("utf-8")


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["txt", "html"]), WEBBY_BYTES.map(lambda b: b.decode("utf-8", "replace")),
                          st.one_of(st.none(), st.text(max_size=60))), min_size=1, max_size=5))
def test_parsing_any_document_gives_one_article_or_one_reject(docs):
    batch = [Document("fuzz", f"file:///fuzz/{i}.{kind}", kind, b"", text,
                      url=url if url and url.startswith("http") else None)
             for i, (kind, text, url) in enumerate(docs)]
    result = parse_documents(batch)
    assert len(result.items) + len(result.rejects) == len(batch)
    for article in result.items:
        assert article.site and article.paragraphs


@SETTINGS
@given(st.lists(st.one_of(
    st.fixed_dictionaries({"url": st.one_of(st.text(max_size=40), st.integers(), st.none()),
                           "title": st.one_of(st.text(max_size=40), st.booleans(), st.lists(st.text(max_size=5))),
                           "text": st.one_of(st.text(min_size=1, max_size=200), st.integers()),
                           "published_at": st.one_of(st.none(), st.text(max_size=30))}),
    st.text(max_size=80)), min_size=1, max_size=8))
def test_parsing_any_json_lines_gives_one_outcome_per_line(records):
    import json

    lines = [json.dumps(r) if isinstance(r, dict) else r.replace("\n", " ").replace("\r", " ") for r in records]
    lines = [line for line in lines if line.strip()]
    result = parse_documents([Document("fuzz", "file:///fuzz/export.jsonl", "jsonl", b"", "\n".join(lines))])
    assert len(result.items) + len(result.rejects) == len(lines)


URLISH = st.one_of(st.text(max_size=60), st.from_regex(r"(https?|mailto|javascript|ftp)?:?//?\[?[\w.:\-\]]{0,30}(:\d{0,6})?"
                                                        r"(/[\w%.\-]*){0,3}(\?[\w=&]*)?", fullmatch=True))


@SETTINGS
@given(URLISH, st.one_of(st.none(), URLISH))
def test_any_link_is_checked_or_refused_with_a_reason(url, base):
    try:
        checked = checked_url(url, base)
    except BadUrl as exc:
        assert exc.reason in ("bad_url", "bad_scheme")
        return
    assert checked.lower().startswith(("http://", "https://"))
    registrable_domain(checked)  # a checked URL always has a site


@SETTINGS
@given(URLISH)
def test_the_site_of_any_string_is_a_domain_or_none(url):
    domain = registrable_domain(url)
    assert domain is None or (isinstance(domain, str) and domain)
