"""A crawl written for the tests: WARC files holding the pages of several publishers, as a news crawler stores them.

Each file has the request records, robots.txt, an image and a redirect a real crawl carries beside the HTML
responses; one wire story runs on two publishers (a syndicated copy).
"""
from __future__ import annotations

import io
from pathlib import Path

WIRE = ("Flood barriers along the lower Oder held overnight as the river crested at 6.8 metres in Frankfurt an der "
        "Oder, the highest level since 1997, the regional flood centre said on Tuesday morning. Engineers had "
        "raised the dykes by forty centimetres over the weekend and pumped water from three low-lying districts "
        "of Slubice across the river. About 2,400 residents who left their homes on Sunday were told they could "
        "return from Wednesday if the level keeps falling. Rail traffic between Berlin and Poznan remained "
        "suspended because a bridge pier was being inspected for damage by divers.")
LOCAL = {
    "oderbote-online.de": ("Neue Buslinie verbindet Eisenhüttenstadt mit dem Bahnhof",
                         "Ab Montag fährt die Linie 450 alle dreißig Minuten vom Stadtzentrum zum Bahnhof. Die "
                         "Verkehrsgesellschaft hat dafür zwei neue Elektrobusse gekauft, die jeweils achtzig "
                         "Fahrgäste aufnehmen können. Der Landkreis trägt die Hälfte der Kosten von 1,2 Millionen "
                         "Euro, den Rest zahlt das Land Brandenburg aus dem Programm für den ländlichen Verkehr."),
    "lubuskie24.com.pl": ("Nowy most pieszy w Słubicach otwarty po dwóch latach budowy",
                                 "Most łączy bulwar nad Odrą z parkiem miejskim i ma sto dwadzieścia metrów "
                                 "długości. Budowa kosztowała osiem milionów złotych, z czego połowę pokryły "
                                 "fundusze unijne. Mieszkańcy mogą z niego korzystać od soboty, a oświetlenie "
                                 "zostanie włączone w przyszłym tygodniu po odbiorze technicznym przez miasto."),
    "www.riverwire-news.co.uk": ("Barge operators count the cost of a summer of low water",
                                    "Operators on the Elbe and the Oder say they carried a third less cargo than "
                                    "last year because barges could load only half their capacity for eleven "
                                    "weeks. Several firms have asked the federal transport ministry to speed up "
                                    "dredging of the shallowest stretches before next summer's dry season."),
}


def page(host: str, title: str, text: str, path: str) -> bytes:
    """Return a publisher's article page: its own header, navigation, related rail and footer around the text."""
    site = host.removeprefix("www.")
    paragraphs = "".join(f"<p>{sentence.strip()}.</p>" for sentence in text.split(". ") if sentence.strip())
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | {site}</title>
<link rel="canonical" href="https://{host}{path}"><meta property="og:site_name" content="{site}">
<meta property="og:type" content="article"></head><body>
<div class="cookie-consent"><p>We use cookies to improve your experience on {site}. By using the site you accept them.</p></div>
<header class="masthead"><a href="/">{site}</a><nav><a href="/news">News</a><a href="/region">Region</a></nav></header>
<main><article><h1>{title}</h1>{paragraphs}</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/a/1">Council approves budget</a></li>
<li><a href="/a/2">Weather: storms expected</a></li></ul></aside></main>
<footer><p>© 2025 {site}. All rights reserved.</p></footer></body></html>""".encode("utf-8")


def write_crawl_file(path: Path, records: list[tuple[str, str, str, bytes]], gzip: bool = True) -> None:
    """Write (url, record type, content type, body) as a WARC file with request records before responses."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "ab") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for url, kind, content_type, body in records:
            if kind == "request":
                headers = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True)
                writer.write_record(writer.create_warc_record(url, "request", http_headers=headers))
                continue
            status = {"response": "200 OK", "redirect": "301 Moved Permanently"}[kind]
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def publisher_records(host: str, title: str, text: str, path: str) -> list[tuple[str, str, str, bytes]]:
    url = f"https://{host}{path}"
    return [(url, "request", "", b""), (url, "response", "text/html; charset=utf-8", page(host, title, text, path))]


def extra_records(host: str) -> list[tuple[str, str, str, bytes]]:
    """What a crawl holds beside the pages: robots.txt, an image, a redirect."""
    return [(f"https://{host}/robots.txt", "response", "text/plain", b"User-agent: *\nAllow: /\n"),
            (f"https://{host}/logo.png", "response", "image/png", b"\x89PNG\r\n\x1a\n...."),
            (f"https://{host}/old", "redirect", "text/html", b"<html>moved</html>")]


def write_crawl(folder: Path) -> list[Path]:
    """Write two WARC files of three publishers; the wire story runs on two of them. Return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    first, second = folder / "CC-NEWS-20251014101500-00001.warc.gz", folder / "sub" / "CC-NEWS-20251014111500-00002.warc.gz"
    second.parent.mkdir(exist_ok=True)
    hosts = list(LOCAL)
    write_crawl_file(first, publisher_records(hosts[0], *LOCAL[hosts[0]], "/lokales/buslinie-450")
                     + publisher_records(hosts[0], "Oder-Hochwasser: Deiche halten", WIRE, "/region/oder-deiche")
                     + extra_records(hosts[0])
                     + publisher_records(hosts[1], *LOCAL[hosts[1]], "/slubice/most-pieszy"))
    write_crawl_file(second, publisher_records(hosts[2], *LOCAL[hosts[2]], "/business/low-water")
                     + publisher_records(hosts[2], "Oder flood barriers hold as river crests", WIRE,
                                         "/europe/oder-flood")
                     + extra_records(hosts[2]))
    return [first, second]
