"""Input kinds through the one reader interface (tasks/sources), and a crawl folder end to end."""
from __future__ import annotations

import gzip
import itertools
import shutil
from collections import Counter
from pathlib import Path

from flows.sources import SourceSpec, specs_from_arguments
from tasks.config import Settings
from tasks.sources import Context, reader_for
from tasks.sources.warc import Broken, Finished, WarcPage, read_warc
from tasks.web import Discovery, Fetched
from tasks.fetch import FetchResult
from tasks.article import Document
from tasks.discover import Link

from .conftest import query
from .crawl import LOCAL, WIRE, page, publisher_records, write_crawl, write_crawl_file


def run_reader(kind: str, specs: list[SourceSpec], **context) -> list:
    """Return every batch a reader yields for these specs."""
    options = context.pop("options", Settings(batch_size=2))
    return list(reader_for(kind).batches(specs, Context(options, say=lambda message: None, **context)))


def totals(batches: list) -> dict:
    skipped = Counter()
    for batch in batches:
        skipped.update(batch.skipped)
    return {"docs": [d.url or d.location for b in batches for d in b.docs],
            "paths": [p.name for b in batches for _, p in b.paths],
            "rejects": [(r.reason, Path(r.location).name) for b in batches for r in b.rejects],
            "inputs": sum(b.inputs for b in batches), "skipped": dict(skipped),
            "files": [f for b in batches for f in b.files]}


class MemoryRaw:
    """A raw layer in memory, for readers that keep what they read."""

    def __init__(self):
        self.bodies = {}

    def put(self, body: bytes) -> str:
        key = f"{len(self.bodies):064d}"
        self.bodies[key] = body
        return key

    def get(self, sha256: str) -> bytes:
        if sha256 not in self.bodies:
            raise FileNotFoundError(sha256)
        return self.bodies[sha256]


def test_local_files_are_listed_in_batches_with_gzip_pages_and_unchanged_files_skipped(tmp_path):
    folder = tmp_path / "oderbote"
    folder.mkdir()
    (folder / "a.txt").write_text("Buslinie\n\nAb Montag fährt die Linie 450.", encoding="utf-8")
    (folder / "b.html.gz").write_bytes(gzip.compress(page("oderbote-online.de", *LOCAL["oderbote-online.de"], "/b")))
    (folder / "c.xhtml").write_bytes(page("oderbote-online.de", "Deiche halten", WIRE, "/c"))
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7")
    spec = SourceSpec("oderbote", "directory", str(folder))
    first = totals(run_reader("directory", [spec]))
    assert first["paths"] == ["a.txt", "b.html.gz", "c.xhtml"]
    assert first["rejects"] == [("unsupported_type", "scan.pdf")]
    assert first["inputs"] == 3 and len(first["files"]) == 3
    # the warehouse says what earlier runs read: unchanged files are skipped and counted, a changed one is read
    known = {f[0]: tuple(f[2:5]) + (None,) for f in first["files"]}
    (folder / "a.txt").write_text("Buslinie\n\nAb Dienstag fährt die Linie 450.", encoding="utf-8")
    second = totals(run_reader("directory", [spec], known_files=lambda locations: known))
    assert second["paths"] == ["a.txt"] and second["skipped"] == {"unchanged_file": 2}
    assert totals(run_reader("directory", [spec], known_files=lambda locations: known, refresh=True))["paths"] == [
        "a.txt", "b.html.gz", "c.xhtml"]


def test_a_crawl_folder_is_one_warc_source_and_records_that_are_not_pages_are_counted(tmp_path):
    folder = tmp_path / "crawl"
    write_crawl(folder)
    [spec] = specs_from_arguments([str(folder)])
    assert (spec.kind, spec.name) == ("warc", "crawl")
    raw = MemoryRaw()
    found = totals(run_reader("warc", [spec], raw=raw))
    assert found["docs"] == ["https://oderbote-online.de/lokales/buslinie-450", "https://oderbote-online.de/region/oder-deiche",
                             "https://lubuskie24.com.pl/slubice/most-pieszy",
                             "https://www.riverwire-news.co.uk/business/low-water",
                             "https://www.riverwire-news.co.uk/europe/oder-flood"]
    assert found["skipped"] == {"warc_request": 5, "warc_not_html": 4, "warc_http_301": 2}
    assert found["rejects"] == [] and found["inputs"] == 16
    assert len(raw.bodies) == 5  # every page is kept in the raw layer
    assert [f[5] for f in found["files"]] == [f[2] for f in found["files"]]  # each file read to its end


def test_a_corrupt_record_costs_that_record_and_a_grown_file_is_read_from_where_it_ended(tmp_path):
    archive = tmp_path / "CC-NEWS-live.warc.gz"
    hosts = list(LOCAL)
    write_crawl_file(archive, publisher_records(hosts[0], *LOCAL[hosts[0]], "/a"))
    end_of_first = archive.stat().st_size
    write_crawl_file(archive, publisher_records(hosts[1], *LOCAL[hosts[1]], "/b"))
    end_of_second = archive.stat().st_size
    write_crawl_file(archive, publisher_records(hosts[2], *LOCAL[hosts[2]], "/c"))
    pristine = archive.read_bytes()
    # damage the second publisher's response anywhere (its deflate data, the end of its gzip member): that record is
    # lost and said to be, the third publisher is still read, nothing is read twice, the reading ends. (warcio reads
    # some damage out of step, as a garbage record spanning the next ones, or with a negative length: record IDs and
    # dates are random, so where 30 zero bytes land differs from file to file; the spots below cover both.)
    middle = (end_of_first + end_of_second) // 2
    for spot in [middle + shift for shift in range(-200, 240, 20)] + [end_of_second - 49, end_of_second - 40]:
        data = bytearray(pristine)
        data[spot:spot + 30] = bytes(30)
        archive.write_bytes(bytes(data))
        items = list(itertools.islice(read_warc(archive), 40))
        assert isinstance(items[-1], Finished), spot
        assert [i.url for i in items if isinstance(i, WarcPage)] == [f"https://{hosts[0]}/a",
                                                                    f"https://{hosts[2]}/c"], spot
        assert sum(isinstance(i, Broken) for i in items) == 1, spot
    data = bytearray(pristine)
    data[middle + 40:middle + 70] = bytes(30)
    archive.write_bytes(bytes(data))
    spec = SourceSpec("live", "warc", str(archive))
    first = totals(run_reader("warc", [spec]))
    assert [reason for reason, _ in first["rejects"]] == ["bad_warc_record"]
    # the crawler goes on writing: the next run reads the new records only
    size, read_to = first["files"][0][2], first["files"][0][5]
    write_crawl_file(archive, publisher_records(hosts[0], "Oder-Hochwasser: Deiche halten", WIRE, "/d"))
    known = {first["files"][0][0]: (size, first["files"][0][3], first["files"][0][4], read_to)}
    grown = totals(run_reader("warc", [spec], known_files=lambda locations: known))
    assert grown["docs"] == [f"https://{hosts[0]}/d"]
    unchanged = {first["files"][0][0]: tuple(grown["files"][0][2:6])}
    assert totals(run_reader("warc", [spec], known_files=lambda locations: unchanged))["skipped"] == {
        "unchanged_file": 1}
    assert isinstance(list(read_warc(archive, read_to))[-1], Finished)


def test_web_pages_come_through_the_flows_discover_and_fetch(tmp_path):
    url = "https://oderbote-online.de/lokales/buslinie-450"
    calls = []

    def discover(sources, config, lookup, refresh, memory, read_raw):
        calls.append(("discover", [s.location for s in sources], refresh))
        return Discovery(links=[("oderbote", Link(url))])

    def fetch(links, config, validators, delays, memory, on_page=None):
        calls.append(("fetch", [link.url for _, link in links]))
        body = page("oderbote-online.de", *LOCAL["oderbote-online.de"], "/lokales/buslinie-450")
        result = FetchResult(url=url, purpose="page", final_url=url, status=200, content_type="text/html",
                             charset="utf-8", body=body, size=len(body), attempts=1)
        return Fetched([Document("oderbote", url, "html", b"", body.decode(), "utf-8", url=url)],
                       [("oderbote", result)], [])

    raw = MemoryRaw()
    batches = run_reader("feed", [SourceSpec("oderbote", "feed", "https://oderbote-online.de/feed.xml")],
                         discover=discover, fetch=fetch, raw=raw)
    assert calls == [("discover", ["https://oderbote-online.de/feed.xml"], False), ("fetch", [url])]
    assert totals(batches)["docs"] == [url]
    record = batches[-1].fetches[0][1]
    assert record.body is None and raw.get(record.sha256).startswith(b"<!DOCTYPE html>")


def test_the_raw_layer_is_read_again_and_a_missing_or_damaged_body_costs_its_page(tmp_path):
    from warehouse.raw import RawStore

    raw = RawStore(tmp_path / "raw")
    good = raw.put(page("oderbote-online.de", *LOCAL["oderbote-online.de"], "/a"))
    damaged = raw.put(page("oderbote-online.de", "Deiche halten", WIRE, "/c"))
    raw.path_of(damaged).write_bytes(raw.path_of(damaged).read_bytes()[:60])  # a disk that filled up mid-write
    pages = [{"url": f"https://oderbote-online.de/{key}", "source": "oderbote", "sha256": sha, "charset": None,
              "hints": None, "captured_at": "2025-10-14T10:15:00+00:00"}
             for key, sha in (("a", good), ("b", "f" * 64), ("c", damaged))]
    batches = run_reader("raw", [SourceSpec("raw:oderbote", "raw", "oderbote")], raw=raw,
                         raw_pages=lambda source: pages if source == "oderbote" else [])
    found = totals(batches)
    assert found["docs"] == ["https://oderbote-online.de/a"]
    assert found["rejects"] == [("raw_missing", "b"), ("raw_damaged", "c")]
    assert batches[0].docs[0].hints["captured_at"] == "2025-10-14T10:15:00+00:00"


def test_newsflow_run_on_a_crawl_folder_loads_publishers_and_reads_nothing_twice(newsflow, tmp_path):
    folder = tmp_path / "crawl"
    files = write_crawl(folder)
    warehouse = tmp_path / "w.duckdb"
    first = newsflow("run", str(folder), "--warehouse", str(warehouse))
    assert "new         5" in first.stdout
    assert query(warehouse, "SELECT kind, location FROM sources") == [("warc", str(folder))]
    sites = newsflow("sql", "select site, count(*) AS n from articles group by 1 order by 1", "--warehouse",
                     str(warehouse), "--format", "csv").stdout.splitlines()
    assert sites == ["site,n", "lubuskie24.com.pl,1", "oderbote-online.de,2", "riverwire-news.co.uk,2"]
    # the wire story ran on two publishers of one crawl: the syndication view shows who copied whom
    assert query(warehouse, "SELECT original_site, copying_site, copies FROM syndication") == [
        ("oderbote-online.de", "riverwire-news.co.uk", 1)]
    # a capture date is never a publication date
    assert query(warehouse, "SELECT count(*) FROM articles WHERE captured_at IS NULL OR published_at IS NOT NULL") == [
        (0,)]
    again = newsflow("run", str(folder), "--warehouse", str(warehouse))
    assert "read        0 documents  (2 unchanged files skipped" in again.stdout
    # the crawler wrote on: only the new record is read
    write_crawl_file(files[1], publisher_records("lubuskie24.com.pl", "Odra: wały wytrzymały", WIRE,
                                                 "/region/odra-waly"))
    grown = newsflow("run", str(folder), "--warehouse", str(warehouse))
    assert "read        2 documents  (1 unchanged files skipped" in grown.stdout and "new         1" in grown.stdout
    assert query(warehouse, "SELECT count(*) FROM articles") == [(6,)]
    shutil.rmtree(folder)


def test_the_site_is_the_registrable_domain_renamed_by_the_sites_table():
    from flows.settings import resolve_settings
    from tasks.site import registrable_domain, site_of

    assert registrable_domain("https://www.bbc.co.uk/news/world-123") == "bbc.co.uk"
    assert registrable_domain("https://lubuskie24.com.pl/slubice/most") == "lubuskie24.com.pl"
    assert registrable_domain("https://nachrichten.derstandard.at/x") == "derstandard.at"
    assert registrable_domain("http://127.0.0.1:8080/a") == "127.0.0.1"
    assert registrable_domain("file:///data/oderbote/a.txt") is None
    assert registrable_domain("http://[::1") is None  # a malformed URL has no site; it never raises
    # a local text file's site is its source's name; [sites] joins a publisher's domains under one name
    assert site_of("file:///data/oderbote/a.txt", "oderbote") == "oderbote"
    sites = resolve_settings(overrides={"sites": {"BBC.com": "bbc.co.uk", "news.bbc.co.uk": "bbc.co.uk"}},
                             environ={}).sites
    assert site_of("https://www.bbc.com/news/a", "feed", sites) == "bbc.co.uk"
    assert site_of("https://www.derstandard.at/story/1", "feed", sites) == "derstandard.at"


def test_settings_layer_file_env_parameters_and_a_bad_value_is_named_with_where_it_came_from(tmp_path):
    import pytest

    from flows.settings import resolve_settings
    from tasks.config import SettingError

    config = tmp_path / "newsflow.toml"
    config.write_text("batch_size = 200\nworkers = 3\n[dedup]\nmax_bucket = 16\n", encoding="utf-8")
    settings = resolve_settings(str(config), {"workers": 1},
                                environ={"NEWSFLOW_BATCH_SIZE": "300", "NEWSFLOW_READ__MAX_FILE_BYTES": "5000"})
    assert (settings.batch_size, settings.workers, settings.dedup.max_bucket, settings.read.max_file_bytes) == (
        300, 1, 16, 5000)  # file < environment < parameters; untouched settings keep their defaults
    for config_text, environ, overrides, message in [
        ("", {"NEWSFLOW_BATCH_SIZE": "abc"}, {}, "setting batch_size must be a whole number, not 'abc' "
                                                 "(from NEWSFLOW_BATCH_SIZE)"),
        ("[read]\nmax_file_bytes = \"ten megabytes\"\n", {}, {},
         f"setting read.max_file_bytes must be a whole number, not 'ten megabytes' (in {config})"),
        ("", {}, {"batch_size": "lots"}, "setting batch_size must be a whole number, not 'lots' (as a parameter)"),
        ("", {"NEWSFLOW_CLEAN__NO_SUCH": "1"}, {}, "unknown setting(s) in [clean]: no_such (from "
                                                   "NEWSFLOW_CLEAN__NO_SUCH)"),
        ("dedup = 3\n", {}, {}, f"setting [dedup] must be a table (in {config})"),
    ]:
        config.write_text(config_text, encoding="utf-8")
        with pytest.raises(SettingError) as raised:
            resolve_settings(str(config), overrides, environ=environ)
        assert str(raised.value) == message
    # a config file named but missing, or not TOML, is a setting error too (one line from every command)
    with pytest.raises(SettingError, match=f"config file not found: {tmp_path / 'nope.toml'}"):
        resolve_settings(str(tmp_path / "nope.toml"), environ={})
    config.write_text("batch_size = [\n", encoding="utf-8")
    with pytest.raises(SettingError, match=f"config file {config} cannot be read: "):
        resolve_settings(None, environ={"NEWSFLOW_CONFIG": str(config)})
