"""The whole pipeline against a peer pipeline built from the usual parts: same corpus, same run, side by side.

    .venv/bin/python benchmarks/pipeline.py                    # N = 10,000 documents (~10 min on 2 cores)
    .venv/bin/python benchmarks/pipeline.py --docs 100000      # the large run (about an hour; not for CI)
    .venv/bin/python benchmarks/pipeline.py --repeat 3         # both pipelines three times, alternately: best of each

Corpus (seeded, written to disk once per invocation): half real HTML pages, half plain-text articles. The
pages are the 181 benchmark pages of ../shared/benchmarks/article-extraction, each served many times: its
article paragraphs are replaced by a generated story (benchmarks/textgen.py; German, French and Russian
as random sentences over textgen's words of the language), and every copy
gets its own title, date, canonical URL and a varied block of boilerplate (related-article lists, newsletter
lines, "don't miss" teasers). The text articles come from the same generator with their outlet's furniture
lines. 15 % of documents are syndicated copies of an earlier story (another outlet, another layout, edited the
ways benchmarks/dedup_set.py edits copies); 0.3 % are broken (empty, binary, truncated).

newsflow: the ingest flow, run in its own process against a running local Prefect server (PREFECT_API_URL,
started here when not set) as scheduled runs operate; twice, the second time over unchanged input.
Baseline: what a competent engineer assembles from the usual parts, in its own process: trafilatura
(bare_extraction with metadata) for pages, langdetect (seeded) for language, datasketch MinHash (128
permutations, word 2-shingles) with MinHashLSH (threshold 0.45) for near-duplicates, content hashes for exact
ones, one bulk DuckDB insert from Arrow per 5,000 documents in one transaction; the per-document work on a
multiprocessing Pool of all cores (imap, chunks), the way trafilatura's and langdetect's users parallelise.
Both start with the corpus in the page cache (read once just before each) and are timed from their first
document to their commit (library imports apart); peak memory is the
proportional set size (PSS) of the whole process tree (workers and servers it started included), sampled
every 0.25 s. Also printed: the fixed start-up cost of a bare `newsflow run` in Prefect's ephemeral mode.
"""
from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
DEFAULT_BENCH = ROOT.parent / "shared" / "benchmarks" / "article-extraction"
LANGUAGE_WEIGHTS = {"en": 0.55, "de": 0.15, "fr": 0.15, "ru": 0.15}
MARK = re.compile(r"@@([A-Z0-9_]+)@@")
# Furniture planted in documents: none of it may survive into an article body.
FURNITURE_PHRASES = ("Related Articles", "Sign up to the", "DON'T MISS", "Back to top button",
                     "Follow us on", "Read more:")


# ---------------------------------------------------------------- corpus

def load_templates(bench: Path) -> list[tuple[list[str], int]]:
    """Turn each benchmark page into a template: its article paragraphs, title, date and URL become slots."""
    import lxml.html

    truth = json.loads((bench / "ground-truth.json").read_text())
    templates = []
    for path in sorted((bench / "html").glob("*.html.gz")):
        body = " ".join(truth[path.name.split(".")[0]]["articleBody"].split())
        tree = lxml.html.fromstring(gzip.decompress(path.read_bytes()))
        paragraphs = [p for p in tree.iter("p") if len(" ".join(p.text_content().split())) >= 40
                      and " ".join(p.text_content().split()) in body]
        head = tree.find("head")
        if len(paragraphs) < 3 or head is None:
            continue
        for index, p in enumerate(paragraphs):
            tail = p.tail
            p.clear()
            p.text, p.tail = f"@@P{index}@@", tail
        paragraphs[-1].addnext(lxml.html.fragment_fromstring("<div>@@FURNITURE@@</div>"))
        for node in tree.xpath('//link[@rel="canonical"] | //meta[@charset] | //meta[@http-equiv] | '
                               '//meta[contains(@property, "url") or contains(@property, "time") or '
                               'contains(@name, "date")] | //script[@type="application/ld+json"]'):
            node.getparent().remove(node)
        for element in lxml.html.fragments_fromstring(
                '<meta charset="utf-8"><link rel="canonical" href="@@URL@@">'
                '<meta property="article:published_time" content="@@DATE@@">')[::-1]:
            head.insert(0, element)
        title = tree.find(".//title")
        if title is not None:
            title.text = "@@TITLE@@"
        templates.append((MARK.split(lxml.html.tostring(tree, encoding="unicode")), len(paragraphs)))
    return templates


def render(pieces: list[str], values: dict[str, str]) -> str:
    """Fill a template's slots (odd pieces are slot names)."""
    return "".join(values.get(piece, "") if i % 2 else piece for i, piece in enumerate(pieces))


def html_furniture(rng: random.Random, outlet: str, headlines: list[str]) -> str:
    """Return a varied block of page boilerplate placed right after the article."""
    blocks = [
        '<div class="related"><h3>Related Articles</h3><ul>' + "".join(
            f'<li><a href="/news/{rng.randrange(10**6)}">{html.escape(h)}</a></li>' for h in headlines) + "</ul></div>",
        f'<p class="newsletter">Sign up to the {outlet} morning briefing. We use your sign-up to send you '
        f'newsletters and offers. <a href="/privacy">More info</a></p>',
        '<div class="dont-miss"><b>DON\'T MISS</b>' + "".join(
            f'<p><a href="/story/{rng.randrange(10**6)}">{html.escape(h)} [INSIGHT]</a></p>' for h in headlines[:2])
        + "</div>",
        f'<p><a href="#top">Back to top button</a></p><p>Follow us on Telegram for {outlet} news</p>',
    ]
    return "".join(rng.sample(blocks, rng.randint(1, 3)))


def text_furniture(rng: random.Random, outlet: str, headlines: list[str]) -> tuple[list[str], list[str]]:
    """Return (lines after the second paragraph, lines at the end) of a text article's furniture."""
    middle = rng.choice([["Related Articles"], [f"Read more: {headlines[0]}"], []])
    end = rng.sample([f"Sign up to the {outlet} newsletter for the morning headlines.", "Back to top button",
                      f"Follow us on Telegram for more {outlet} news", "DON'T MISS", *headlines[:2]], 3)
    return middle, end


def make_vocabulary(language: str) -> list[str]:
    """Collect the words of a language from textgen's lexicon."""
    from textgen import LEXICON

    words = {w.strip(".,:;!?«»“”„\"'()–—") for values in LEXICON[language].values() if isinstance(values, list)
             for text in values for w in text.replace("{", " {").split() if not w.startswith("{")}
    return sorted(w for w in words if w and not w[0].isdigit())


def make_salad_story(rng: random.Random, vocabulary: list[str]):
    """Write a story of random sentences over a language's words.

    textgen's German, French and Russian stories come from 12 sentence templates each, so any two of them are
    near-duplicates; random word sequences keep the language's letters (what detection sees) while two
    stories share almost no word pairs, as independent reports do.
    """
    from textgen import Story

    def sentence() -> str:
        text = " ".join(rng.choices(vocabulary, k=rng.randint(8, 18)))
        return text[:1].upper() + text[1:] + "."

    paragraphs = [" ".join(sentence() for _ in range(rng.choice((2, 2, 3)))) for _ in range(rng.randint(5, 9))]
    title = " ".join(rng.choices(vocabulary, k=rng.randint(5, 9)))
    return Story(title[:1].upper() + title[1:], paragraphs)


def build_corpus(target: Path, docs: int, bench: Path, html_share: float, copy_share: float,
                 seed: int = 42) -> dict:
    """Write the corpus under ``target`` (one directory per outlet); return what was planted."""
    from dedup_set import COPY_KINDS, make_copy
    from textgen import make_event, make_story

    rng = random.Random(seed)
    templates = load_templates(bench)
    web_outlets = [f"web-{i:02d}" for i in range(12)]
    wire_outlets = [f"wire-{i}" for i in range(6)]
    layouts = {outlet: templates[i::len(web_outlets)] for i, outlet in enumerate(web_outlets)}
    recent: deque = deque(maxlen=2000)
    planted = {"documents": docs, "html": 0, "text": 0, "copies": 0, "broken": 0, "templates": len(templates),
               "bytes": 0}
    languages, weights = list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values())
    vocabularies = {language: make_vocabulary(language) for language in languages if language != "en"}
    for outlet in web_outlets + wire_outlets:
        (target / outlet).mkdir(parents=True, exist_ok=True)
    for number in range(docs):
        is_html = rng.random() < html_share
        outlet = rng.choice(web_outlets if is_html else wire_outlets)
        path = target / outlet / f"{number:07d}.{'html' if is_html else 'txt'}"
        if rng.random() < 0.003:
            data = rng.choice([b"", b"\x89PNG\r\n\x1a\n" + rng.randbytes(2048), b"<html><head><title>x</ti"])
            path.write_bytes(data)
            planted["broken"] += 1
            continue
        if recent and rng.random() < copy_share:
            story, event = rng.choice(recent)
            _, title, text = make_copy(rng, rng.choice(COPY_KINDS), story, event)
            paragraphs = text.split("\n\n")
            planted["copies"] += 1
        else:
            event = make_event(rng, rng.choices(languages, weights)[0])
            story = (make_story(rng, event) if event.language == "en"
                     else make_salad_story(rng, vocabularies[event.language]))
            recent.append((story, event))
            title, paragraphs = story.title, list(story.paragraphs)
        headlines = [make_story(rng, event, paragraphs=1).title for _ in range(3)]
        if is_html:
            pieces, slots = rng.choice(layouts[outlet])
            if len(paragraphs) > slots:  # more paragraphs than the layout has: the last slot takes the rest
                paragraphs = paragraphs[:slots - 1] + [" ".join(paragraphs[slots - 1:])]
            day = f"2026-{rng.randint(8, 11):02d}-{rng.randint(1, 28):02d}T{rng.randint(5, 22):02d}:00:00Z"
            values = {f"P{i}": html.escape(p) for i, p in enumerate(paragraphs)}
            values.update(TITLE=html.escape(title), DATE=day, URL=f"https://{outlet}.example/news/{number}",
                          FURNITURE=html_furniture(rng, outlet, headlines))
            data = render(pieces, values).encode("utf-8")
            planted["html"] += 1
        else:
            middle, end = text_furniture(rng, outlet, headlines)
            lines = [title, *paragraphs[:2], *middle, *paragraphs[2:], *end]
            data = "\n\n".join(lines).encode("utf-8")
            planted["text"] += 1
        path.write_bytes(data)
        planted["bytes"] += len(data)
    return planted


# ---------------------------------------------------------------- memory

def tree_pss(root: int) -> int:
    """Return the summed proportional set size (bytes) of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total


def warm_cache(corpus: Path) -> None:
    """Read every corpus file once, so that both pipelines start with the input in the page cache."""
    for path in corpus.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                while handle.read(1 << 20):
                    pass


def run_measured(args: list[str], env: dict) -> tuple[dict, float]:
    """Run a child benchmark process; return its JSON result and the peak PSS of its process tree."""
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            peak[0] = max(peak[0], tree_pss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0]
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{args[2:4]} failed with exit code {process.returncode}")
    return json.loads(output.strip().splitlines()[-1]), peak[0] / 2**20


# ---------------------------------------------------------------- the two pipelines (child processes)

def role_newsflow(corpus: Path, warehouse: Path, batch_size: int) -> dict:
    started = time.perf_counter()
    from flows.ingest import ingest

    imported = time.perf_counter() - started
    sources = [str(p) for p in sorted(corpus.iterdir())]
    result = {"import_s": imported}
    for label in ("first", "second"):
        clock = time.perf_counter()
        summary = ingest(sources=sources, warehouse=str(warehouse), batch_size=batch_size)
        result[label] = {"wall_s": time.perf_counter() - clock, **{k: summary[k] for k in (
            "read", "articles", "new_articles", "duplicates", "rejects", "stage_seconds", "rejects_by_reason")}}
    import resource

    result["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _baseline_init() -> None:
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0


def _baseline_document(path: str) -> dict:
    """Extract, detect and sign one document in a pool worker; return its record or its reject."""
    import hashlib

    import trafilatura
    from datasketch import MinHash
    from langdetect import detect
    from langdetect.lang_detect_exception import LangDetectException

    seconds = {}
    clock = time.perf_counter()
    data = Path(path).read_bytes()
    seconds["read"] = time.perf_counter() - clock
    record = {"path": path, "source": Path(path).parent.name, "title": None, "body": None, "date": None,
              "language": None, "reason": None, "minhash": None, "content_hash": None, "seconds": seconds}
    clock = time.perf_counter()
    if path.endswith(".html"):
        document = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False) if data else None
        if document is not None:
            record.update(title=document.title, body=document.text, date=document.date)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        if text.strip() and "\x00" not in text:
            title, _, body = text.strip().partition("\n")
            record.update(title=title.strip(), body=body.strip())
    seconds["extract"] = time.perf_counter() - clock
    if not record["body"]:
        record["reason"] = "no_text"
        return record
    clock = time.perf_counter()
    try:
        record["language"] = detect(record["body"])
    except LangDetectException:
        record["language"] = "und"
    seconds["language"] = time.perf_counter() - clock
    clock = time.perf_counter()
    words = re.findall(r"\w+", record["body"].lower())
    minhash = MinHash(num_perm=128, seed=1)
    minhash.update_batch([f"{a} {b}".encode() for a, b in set(zip(words, words[1:]))] or [b""])
    record["minhash"], record["scheme"] = minhash.hashvalues, minhash.scheme
    record["content_hash"] = hashlib.sha256(" ".join(words).encode()).hexdigest()
    seconds["minhash"] = time.perf_counter() - clock
    return record


def role_baseline(corpus: Path, warehouse: Path) -> dict:
    import multiprocessing

    import duckdb
    import pyarrow as pa
    from datasketch import LeanMinHash, MinHashLSH

    started = time.perf_counter()
    paths = sorted(str(p) for p in corpus.rglob("*") if p.is_file())
    con = duckdb.connect(str(warehouse))
    con.execute("""CREATE TABLE articles (path VARCHAR PRIMARY KEY, source VARCHAR, title VARCHAR, body VARCHAR,
                   published VARCHAR, language VARCHAR, content_hash VARCHAR, duplicate_of VARCHAR)""")
    con.execute("CREATE TABLE rejects (path VARCHAR, reason VARCHAR)")
    con.execute("BEGIN TRANSACTION")
    lsh = MinHashLSH(threshold=0.45, num_perm=128)
    hashes: dict[str, str] = {}
    seconds = {"read": 0.0, "extract": 0.0, "language": 0.0, "minhash": 0.0, "lsh": 0.0, "load": 0.0}
    rows, rejects, duplicates = [], [], 0

    def flush() -> None:
        clock = time.perf_counter()
        if rows:
            table = pa.Table.from_pylist(rows)
            con.register("batch", table)
            con.execute("INSERT INTO articles SELECT * FROM batch")
            con.unregister("batch")
        if rejects:
            con.register("bad", pa.Table.from_pylist(rejects))
            con.execute("INSERT INTO rejects SELECT * FROM bad")
            con.unregister("bad")
        rows.clear()
        rejects.clear()
        seconds["load"] += time.perf_counter() - clock

    with multiprocessing.get_context("spawn").Pool(os.cpu_count(), initializer=_baseline_init) as pool:
        for record in pool.imap(_baseline_document, paths, chunksize=16):
            for stage, value in record.pop("seconds").items():
                seconds[stage] += value
            if record["reason"]:
                rejects.append({"path": record["path"], "reason": record["reason"]})
                continue
            clock = time.perf_counter()
            duplicate_of = hashes.get(record["content_hash"])
            minhash = LeanMinHash(seed=1, hashvalues=record["minhash"], scheme=record["scheme"])
            if duplicate_of is None:
                found = lsh.query(minhash)
                duplicate_of = min(found) if found else None
            hashes.setdefault(record["content_hash"], record["path"])
            lsh.insert(record["path"], minhash)
            duplicates += duplicate_of is not None
            seconds["lsh"] += time.perf_counter() - clock
            rows.append({"path": record["path"], "source": record["source"], "title": record["title"],
                         "body": record["body"], "published": record["date"], "language": record["language"],
                         "content_hash": record["content_hash"], "duplicate_of": duplicate_of})
            if len(rows) >= 5000:
                flush()
    flush()
    clock = time.perf_counter()
    con.execute("COMMIT")
    seconds["load"] += time.perf_counter() - clock
    wall = time.perf_counter() - started
    articles, = con.execute("SELECT count(*) FROM articles").fetchone()
    rejected, = con.execute("SELECT count(*) FROM rejects").fetchone()
    con.close()
    import resource

    return {"wall_s": wall, "articles": articles, "duplicates": duplicates, "rejects": rejected,
            "stage_seconds": {k: round(v, 2) for k, v in seconds.items()},
            "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def furniture_left(warehouse: Path) -> int:
    """Count stored bodies that still hold a planted furniture phrase."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        condition = " OR ".join("contains(body, ?)" for _ in FURNITURE_PHRASES)
        return con.execute(f"SELECT count(*) FROM articles WHERE {condition}", list(FURNITURE_PHRASES)).fetchall()[0][0]
    finally:
        con.close()


# ---------------------------------------------------------------- start-up of a bare run

def measure_startup(work: Path) -> dict:
    """Time a bare `newsflow run` of three small files in ephemeral mode: first ever (fresh PREFECT_HOME), again."""
    sample = work / "startup-sample"
    sample.mkdir(exist_ok=True)
    for path in sorted((ROOT / "examples" / "rhein-post").glob("*.txt"))[:3]:
        shutil.copy(path, sample / path.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PREFECT_HOME"] = str(work / "ephemeral-home")
    result = {}
    for label in ("first_ever", "again"):
        clock = time.perf_counter()
        subprocess.run([str(Path(sys.executable).with_name("newsflow")), "run", str(sample), "--warehouse",
                        str(work / f"startup-{label}.duckdb")], env=env, check=True, capture_output=True)
        result[label] = time.perf_counter() - clock
    clock = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import prefect"], env=env, check=True)
    result["import_prefect"] = time.perf_counter() - clock
    return result


# ---------------------------------------------------------------- report

def report(planted: dict, news: dict, news_peak: float, base: dict, base_peak: float, startup: dict,
           server: str, news_left: int, base_left: int) -> None:
    docs = planted["documents"]
    first, second = news["first"], news["second"]
    news_rate, base_rate = docs / first["wall_s"], docs / base["wall_s"]
    print(f"\ncorpus: {docs} documents ({planted['html']} HTML pages from {planted['templates']} real layouts, "
          f"{planted['text']} text, {planted['copies']} syndicated copies, {planted['broken']} broken), "
          f"{planted['bytes'] / 2**20:.0f} MiB")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; Prefect server {server}\n")
    print(f"{'':24}{'newsflow':>14}{'baseline':>14}")
    print(f"{'documents/s end to end':24}{news_rate:14.1f}{base_rate:14.1f}")
    print(f"{'seconds':24}{first['wall_s']:14.1f}{base['wall_s']:14.1f}")
    print(f"{'peak memory (PSS, MiB)':24}{news_peak:14.0f}{base_peak:14.0f}")
    print(f"{'articles':24}{first['articles']:14d}{base['articles']:14d}")
    print(f"{'duplicates found':24}{first['duplicates']:14d}{base['duplicates']:14d}   (planted copies "
          f"{planted['copies']})")
    print(f"{'rejects':24}{first['rejects']:14d}{base['rejects']:14d}   (planted broken {planted['broken']})")
    print(f"{'bodies with furniture':24}{news_left:14d}{base_left:14d}")
    print(f"\nratio newsflow / baseline: {news_rate / base_rate:.2f}x documents/s")
    print("newsflow stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in first["stage_seconds"].items()))
    print("baseline stages (s, summed over workers for read..minhash): "
          + ", ".join(f"{k} {v:.2f}" for k, v in base["stage_seconds"].items()))
    print(f"newsflow second run over unchanged input: {second['wall_s']:.2f} s = "
          f"{100 * second['wall_s'] / first['wall_s']:.1f} % of the first ({second['new_articles']} new)")
    print(f"importing the flow in the benchmark process: {news['import_s']:.2f} s (not in the run times)")
    print(f"bare `newsflow run` of 3 files in ephemeral mode: first ever {startup['first_ever']:.1f} s, again "
          f"{startup['again']:.1f} s (`import prefect` alone {startup['import_prefect']:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--html-share", type=float, default=0.5)
    parser.add_argument("--copy-share", type=float, default=0.15)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--work", type=Path, help="keep the corpus and warehouses here (default: a temp dir); "
                                                  "a later invocation with the same --work reuses the corpus")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run both pipelines this many times, alternately, each on a fresh warehouse, and compare "
                             "the fastest run of each (a shared machine only ever adds time; peak memory: the most)")
    parser.add_argument("--role", choices=("newsflow", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "newsflow":
        print(json.dumps(role_newsflow(args.corpus, args.warehouse, args.batch_size)))
        return
    if args.role == "baseline":
        print(json.dumps(role_baseline(args.corpus, args.warehouse)))
        return
    if not (args.bench / "ground-truth.json").exists():
        raise SystemExit(f"no benchmark pages at {args.bench} (../shared/benchmarks/article-extraction)")
    work = args.work or Path(tempfile.mkdtemp(prefix="newsflow-pipeline-"))
    work.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        corpus, record = work / "corpus", work / "corpus.json"
        wanted = {"docs": args.docs, "html_share": args.html_share, "copy_share": args.copy_share}
        known = json.loads(record.read_text()) if record.exists() else {}
        if known.get("parameters") == wanted:  # the same corpus from an earlier invocation with --work
            planted = known["planted"]
        else:
            clock = time.perf_counter()
            shutil.rmtree(corpus, ignore_errors=True)
            planted = build_corpus(corpus, args.docs, args.bench, args.html_share, args.copy_share)
            record.write_text(json.dumps({"parameters": wanted, "planted": planted}))
            print(f"corpus of {args.docs} documents built in {time.perf_counter() - clock:.0f} s", file=sys.stderr)
        startup = measure_startup(work)
        env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
        from flows.server import is_healthy, start_server

        if os.environ.get("PREFECT_API_URL") and is_healthy(os.environ["PREFECT_API_URL"]):
            url, where = os.environ["PREFECT_API_URL"], "given by PREFECT_API_URL"
        else:
            server, url, seconds = start_server(env={"PREFECT_HOME": str(work / "prefect-home")})
            where = f"started for the benchmark (ready after {seconds:.1f} s)"
        env["PREFECT_API_URL"] = url
        me = [sys.executable, __file__, "--corpus", str(corpus), "--batch-size", str(args.batch_size)]
        best: dict[str, tuple[float, dict]] = {}  # pipeline -> (seconds, result) of its fastest run
        peaks, walls = {"newsflow": 0.0, "baseline": 0.0}, []
        for attempt in range(1, args.repeat + 1):
            for name in ("newsflow", "baseline")[:1 if args.skip_baseline else 2]:
                (work / f"{name}.duckdb").unlink(missing_ok=True)
                shutil.rmtree(work / f".{name}-staging", ignore_errors=True)
                print(f"running {name} ({attempt} of {args.repeat}) ...", file=sys.stderr)
                warm_cache(corpus)
                result, peak = run_measured(me + ["--role", name, "--warehouse", str(work / f"{name}.duckdb")], env)
                wall = (result["first"] if name == "newsflow" else result)["wall_s"]
                walls.append(f"{name} {wall:.1f} s")
                best[name] = min(best.get(name, (wall, result)), (wall, result), key=lambda run: run[0])
                peaks[name] = max(peaks[name], peak)
        if args.repeat > 1:
            print("runs in order: " + ", ".join(walls), file=sys.stderr)
        base = best.get("baseline", (0.0, {"wall_s": float("nan"), "articles": 0, "duplicates": 0, "rejects": 0,
                                           "stage_seconds": {}}))[1]
        report(planted, best["newsflow"][1], peaks["newsflow"], base, peaks["baseline"], startup, where,
               furniture_left(work / "newsflow.duckdb"),
               furniture_left(work / "baseline.duckdb") if not args.skip_baseline else 0)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
