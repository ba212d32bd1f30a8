"""Near-duplicate quality on the labelled set, against MinHash LSH, and dedup cost as history grows.

    .venv/bin/python benchmarks/dedup.py                     # quality: newsflow and the LSH baseline
    .venv/bin/python benchmarks/dedup.py --ablate            # what each rule is worth: each switched off in turn
    .venv/bin/python benchmarks/dedup.py --scale 1000 10000 100000   # time per batch of 1,000 new articles
    .venv/bin/python benchmarks/dedup.py --templated 1000 8000 64000  # one run of a machine-written series
    .venv/bin/python benchmarks/dedup.py --warehouse 1000000          # a daily run into a big warehouse vs empty

Quality: the set from benchmarks/dedup_set.py goes through newsflow's clean, signature and dedup stages;
pairs of records predicted in one group are compared with the labelled groups (pairwise precision, recall,
F1), with recall per kind of copy, the number of hard negatives merged and of template siblings merged as copies;
the template-family relation is scored the same way against the labelled families. The baseline is datasketch's
MinHashLSH on word 2-shingles at threshold 0.45 over the same cleaned text.

Templated: one run loads N market reports written from one template (company, price, change, volume and day
differ), in batches of 1,000 through the real load path, into an empty warehouse, in a fresh process per size:
seconds of signatures and of the load (dedup included) and peak memory. The cost should grow with N, not N^2.

Scale: a warehouse is filled with N articles of history through the real load path (staged batches,
load_run); then a batch of 1,000 new articles (a tenth of them copies of history) is loaded and timed.

Warehouse (--warehouse 1000000): a warehouse of N unrelated articles is built in bulk SQL (every row the dedup
lookups read: articles, signatures, 24 band keys, paragraph and skeleton fingerprints each); then, in a fresh
process, 10,000 real articles are loaded as history and a run of 10,000 new ones (a tenth copies of that history)
is loaded the way the flow loads (DuckDB memory capped at load_memory, doubled on running out): its seconds and
peak RSS, against the same into an empty warehouse; each is run three times (--repeat) on a fresh copy of the
built warehouse and the best compared.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dedup_set import build_news_set, build_set  # noqa: E402
from tasks.article import Article  # noqa: E402
from tasks.clean import clean_articles  # noqa: E402
from tasks.config import CleanConfig, DedupConfig, LanguageConfig  # noqa: E402
from tasks.language import detect_article_languages  # noqa: E402
from tasks.dedup import find_duplicates, make_shingles, sign_articles  # noqa: E402
from tasks.parse import split_paragraphs  # noqa: E402


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MiB since it started (VmHWM).

    Not getrusage's ru_maxrss: Linux carries that across exec, so a child started by a process that built a big
    warehouse would report the parent's peak.
    """
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def to_articles(records: list[dict]) -> list[Article]:
    articles = []
    for record in records:
        url = f"https://{record['source']}.example/{record['id']}"
        articles.append(Article(record["source"], url, url, record["title"], split_paragraphs(record["text"])))
    return articles


def groups_from_pairs(ids: list[str], pairs: list[tuple[str, str]]) -> dict[str, str]:
    parent = {i: i for i in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    return {i: find(i) for i in ids}


def pair_set(groups: dict[str, str]) -> set[frozenset]:
    members = defaultdict(list)
    for item, group in groups.items():
        members[group].append(item)
    return {frozenset(p) for m in members.values() for p in itertools.combinations(sorted(m), 2)}


def evaluate(records: list[dict], predicted: dict[str, str]) -> dict:
    """Pairwise precision and recall of the copy relation, recall per kind of copy, hard negatives merged with their
    story, and pairs of template siblings (each its own story) merged as copies."""
    truth = pair_set({r["id"]: r["cluster"] for r in records})
    found = pair_set(predicted)
    tp = len(truth & found)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    by_kind = {}
    for kind in sorted({r["kind"] for r in records if r["id"] != r["cluster"]}):
        copies = [r for r in records if r["kind"] == kind]
        by_kind[kind] = sum(predicted[r["id"]] == predicted[r["cluster"]] for r in copies) / len(copies)
    negatives = [r for r in records if r.get("negative_of")]
    merged = sum(predicted[r["id"]] == predicted[r["negative_of"]] for r in negatives)
    siblings = [r for r in records if r["kind"] == "sibling"]
    sibling_copy_groups = sum(1 for a, b in itertools.combinations(siblings, 2) if predicted[a["id"]] == predicted[b["id"]])
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall),
            "by_kind": by_kind, "negatives": len(negatives), "negatives_merged": merged,
            "sibling_pairs_as_copies": sibling_copy_groups}


def evaluate_families(records: list[dict], families: dict[str, str], copies: dict[str, str]) -> dict:
    """Pairwise precision and recall of the template-family relation between stories (a group of copies is one
    story, represented in its family by its first member), over the siblings and every other story."""
    family_of_story = {copies[i]: family for i, family in families.items()}
    stories = [r for r in records if r["id"] == r["cluster"]]  # copies join their story, scored as copies
    truth = pair_set({r["id"]: r["family"] for r in stories if r.get("family")})
    found = pair_set({r["id"]: family_of_story[copies[r["id"]]] for r in stories
                      if copies[r["id"]] in family_of_story})
    tp = len(truth & found)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    return {"precision": precision, "recall": recall, "pairs": len(found), "truth": len(truth)}


def run_newsflow(records: list[dict], config: DedupConfig | None = None) -> tuple[dict[str, str], float]:
    started = time.perf_counter()
    articles = to_articles(records)
    cleaned = clean_articles(articles, CleanConfig()).items
    detect_article_languages(cleaned, LanguageConfig())  # (the languages go before the signatures, as in a run)
    config = config or DedupConfig()
    sign_articles(cleaned, config)
    matches = find_duplicates(cleaned, config, lambda h: {}, lambda k: [], lambda k: [])
    by_url = {a.article_id: r["id"] for a, r in zip(articles, records)}
    pairs = [(by_url[m.article_id], by_url[m.duplicate_of]) for m in matches if m.method != "template"]
    family_pairs = [(by_url[m.article_id], by_url[m.duplicate_of]) for m in matches if m.method == "template"]
    in_family = {i for pair in family_pairs for i in pair}
    LAST_FAMILIES.clear()
    LAST_FAMILIES.update({i: g for i, g in groups_from_pairs(sorted(in_family), family_pairs).items()})
    return groups_from_pairs([r["id"] for r in records], pairs), time.perf_counter() - started


LAST_FAMILIES: dict[str, str] = {}  # the template families of the last newsflow run (id -> family)


def run_lsh_baseline(records: list[dict]) -> tuple[dict[str, str], float]:
    from datasketch import MinHash, MinHashLSH

    started = time.perf_counter()
    articles = to_articles(records)
    cleaned = {a.article_id: a for a in clean_articles(articles, CleanConfig()).items}
    lsh = MinHashLSH(threshold=0.45, num_perm=128)
    pairs = []
    for article, record in zip(articles, records):
        text = cleaned[article.article_id].body if article.article_id in cleaned else ""
        minhash = MinHash(num_perm=128)
        minhash.update_batch(list(make_shingles(text, 2)))
        pairs += [(record["id"], other) for other in lsh.query(minhash)]
        lsh.insert(record["id"], minhash)
    return groups_from_pairs([r["id"] for r in records], pairs), time.perf_counter() - started


TEASER_KINDS = {"teaser", "rss_teaser"}


def relation_of(record: dict) -> str:
    """Return the relation a record has with its story: copy, teaser (a partial copy), template sibling, hard
    negative, or none (an original)."""
    if record.get("negative_of"):
        return "hard negative"
    if record["kind"] == "sibling":
        return "template sibling"
    if record["id"] == record["cluster"]:
        return "none"
    return "teaser" if record["kind"] in TEASER_KINDS else "copy"


def score_relations(records: list[dict], copies: dict[str, str], families: dict[str, str] | None) -> dict:
    """Return precision and recall per relation: copies and teasers as pairs grouped with their story (precision
    over the predicted pairs that hold a record of the relation), template siblings as pairs of one family (a
    system without families groups none), hard negatives as their story's pairs (none should be predicted)."""
    predicted = pair_set(copies)
    truth = pair_set({r["id"]: r["cluster"] for r in records})
    relation = {r["id"]: relation_of(r) for r in records}
    scores = {}
    for name in ("copy", "teaser"):
        involved = {p for p in predicted if any(relation[i] == name for i in p)}
        expected = {p for p in truth if any(relation[i] == name for i in p)}
        scores[name] = (len(involved & truth) / len(involved) if involved else 1.0,
                        len(expected & predicted) / len(expected) if expected else 1.0, len(expected))
    if families is None:
        scores["template sibling"] = None  # a system without the relation
    else:
        found = evaluate_families(records, families, copies)
        scores["template sibling"] = (found["precision"], found["recall"], found["truth"])
    overall = evaluate(records, copies)
    scores["hard negative"] = (overall["negatives_merged"], overall["negatives"])
    scores["siblings as copies"] = overall["sibling_pairs_as_copies"]
    scores["all"] = overall
    return scores


def report(results: list[tuple[str, dict, float]]) -> None:
    """Print one table: each relation's precision / recall per system, then copy recall by kind."""
    header = f"{'relation':<18} {'pairs':>6}" + "".join(f"  {name:>24}" for name, *_ in results)
    print(header)
    for relation in ("copy", "teaser", "template sibling"):
        pairs = results[0][1][relation][2]
        cells = "".join(f"  {'P %.4f  R %.4f' % scores[relation][:2] if scores[relation] else 'no such relation':>24}"
                        for _, scores, _ in results)
        print(f"{relation:<18} {pairs:>6}{cells}")
    cells = "".join(f"  {'%d of %d merged' % scores['hard negative']:>24}" for _, scores, _ in results)
    print(f"{'hard negative':<18} {'':>6}{cells}")
    cells = "".join(f"  {'%d pairs' % scores['siblings as copies']:>24}" for _, scores, _ in results)
    print(f"{'siblings as copies':<18} {'':>6}{cells}")
    for name, scores, seconds in results:
        metrics = scores["all"]
        print(f"  {name}: all copy pairs P {metrics['precision']:.4f} R {metrics['recall']:.4f} ({seconds:.1f} s); "
              "recall by kind: " + ", ".join(f"{k} {v:.3f}" for k, v in metrics["by_kind"].items()))


def quality(originals: int, seed: int) -> None:
    sets = [("news set (real article texts and the multilingual stories, edited as outlets copy)",
             build_news_set(seed + 4)),
            ("generated set (benchmarks/textgen.py stories, 3 templated series)", build_set(originals, seed))]
    for label, records in sets:
        kinds = Counter(r["kind"] for r in records)
        print(f"{label}: {len(records)} records: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        copies, seconds = run_newsflow(records)
        results = [("newsflow", score_relations(records, copies, dict(LAST_FAMILIES)), seconds)]
        groups, seconds = run_lsh_baseline(records)
        results.append(("MinHashLSH 2-sh 0.45", score_relations(records, groups, None), seconds))
        report(results)
        print()
    series(600)


def ablate(seed: int) -> None:
    """Print what each rule of tasks/dedup.py is worth on the news set: every rule switched off in turn."""
    import contextlib
    import dataclasses

    import tasks.dedup as dedup

    @contextlib.contextmanager
    def patched(**values):
        saved = {name: getattr(dedup, name) for name in values}
        for name, value in values.items():
            setattr(dedup, name, value)
        try:
            yield
        finally:
            for name, value in saved.items():
                setattr(dedup, name, value)

    class OneAGroup(dedup.Buckets):  # passage buckets as band buckets are: one article a group
        def __init__(self, cap, family=False, per_group=1):
            super().__init__(cap, family, 1)

    rules = [
        ("all rules", {}, {}),
        ("facts judged only when both state 4+ (before)", {"fact_share": lambda m, t, c: (
            None if m is None or t is None or len(m) < 4 or len(t) < 4 else saved_share(m, t, c))}, {}),
        ("a short text need not keep every fact", {}, {"all_facts_below": 0}),
        ("no lower-case weekdays and months as facts", {"load_calendar_words": lambda: frozenset()}, {}),
        ("German capitalised words are names", {"read_data_file": lambda path: {
            **saved_read(path), "noun_capitalising": []}}, {}),
        ("a part need not keep the numbers", {"keeps_numbers": lambda *args: True}, {}),
        ("a small part need not be a run", {"is_run_of": lambda part, whole: True}, {}),
        ("no late join of a teaser seen first", {"join_late_parts": lambda articles, keys, matches, *rest: matches}, {}),
        ("passage buckets keep one article a group", {"Buckets": OneAGroup}, {}),
    ]
    saved_share, saved_read = dedup.fact_share, dedup.read_data_file
    records = build_news_set(seed + 4)
    print(f"{'rule switched off':<48} {'copy P':>7} {'copy R':>7} {'teaser R':>8} {'family R':>8} "
          f"{'siblings as copies':>18} {'negatives merged':>16}")
    for label, patches, settings in rules:
        with patched(**patches):
            copies, _ = run_newsflow(records, dataclasses.replace(DedupConfig(), **settings))
        scores = score_relations(records, copies, dict(LAST_FAMILIES))
        print(f"{label:<48} {scores['copy'][0]:>7.4f} {scores['copy'][1]:>7.4f} {scores['teaser'][1]:>8.4f} "
              f"{scores['template sibling'][1]:>8.4f} {scores['siblings as copies']:>18} "
              f"{'%d/%d' % scores['hard negative']:>16}")


def series(size: int, seed: int = 9) -> None:
    """Print what one run makes of a series of ``size`` short market reports from one template, a third of them
    stating three facts (company, price, day) and the rest five (change and volume too): no copies, one family."""
    import random

    rng = random.Random(seed)
    records = []
    for number in range(size):
        company, price, day = COMPANIES[number % len(COMPANIES)], rng.uniform(5, 500), rng.randint(1, 28)
        changes = "" if number % 3 == 2 else (f" The price moved {rng.uniform(-9, 9):+.2f} percent on a volume of "
                                              f"{rng.randint(10_000, 900_000)} shares.")
        text = (f"Shares of {company} closed at {price:.2f} euros on day {day} of the month.{changes} The stock is "
                "part of the regional index.\n\nThis report was generated automatically from exchange data.")
        records.append({"id": f"r{number}", "cluster": f"r{number}", "family": "r", "kind": "sibling",
                        "source": "wire", "title": f"{company} closes at {price:.2f}", "text": text})
    copies, _ = run_newsflow(records)
    duplicate_pairs = len(pair_set(copies))
    siblings = sum(1 for r in records if LAST_FAMILIES.get(r["id"]) and LAST_FAMILIES[r["id"]] != r["id"])
    print(f"a series of {size} templated reports ({size // 3} stating 3 facts, the rest 5): newsflow "
          f"{duplicate_pairs} duplicate pairs, {siblings} template siblings in "
          f"{len(set(LAST_FAMILIES.values()))} famil{'y' if len(set(LAST_FAMILIES.values())) == 1 else 'ies'} "
          f"(right: 0 duplicate pairs, {size - 1} siblings in 1 family)")
    baseline, _ = run_lsh_baseline(records)
    print(f"{'':<22} MinHashLSH 2-sh 0.45: {len(pair_set(baseline))} duplicate pairs")


def scale(histories: list[int], batch: int = 1000) -> None:
    """Time the load (dedup included) of one new batch with growing history in the warehouse."""
    import random

    from warehouse.connection import connect
    from warehouse.load import load_run, stage_batch

    import warehouse.load as load_module

    timers: Counter = Counter()

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timers[name] += time.perf_counter() - started
        return wrapper

    for name in ("find_duplicates", "lookup_band_matches", "lookup_passage_matches", "lookup_hash_roots"):
        setattr(load_module, name, timed(name, getattr(load_module, name)))
    rng = random.Random(11)
    config = DedupConfig()
    work = Path(tempfile.mkdtemp(prefix="newsflow-dedup-scale-"))
    con = connect(work / "w.duckdb")
    loaded, stories = 0, []

    def articles_for(count: int, copies_from: list | None = None) -> list[Article]:
        return make_daily(rng, count, stories, copies_from, "scale", config)

    def load(articles: list[Article], number: int) -> float:
        staging = work / f"staging-{number}"
        stage_batch(staging, 1, articles, [])
        started = time.perf_counter()
        load_run(con, staging, run_record(f"r{number}"), {"scale": {"kind": "directory", "location": None}}, config)
        return time.perf_counter() - started

    number = 0
    for target in sorted(histories):
        while loaded < target:
            number += 1
            size = min(batch, target - loaded)
            load(articles_for(size), number)
            loaded += size
        number += 1
        new = articles_for(batch, copies_from=stories[-5000:])
        timers.clear()
        seconds = load(new, number)
        loaded += batch
        peak = peak_rss_mb()
        lookups = sum(v for k, v in timers.items() if k.startswith("lookup"))
        print(f"history {target:>7} articles: new batch of {batch} deduplicated and loaded in {seconds:.2f} s; "
              f"dedup {timers['find_duplicates']:.2f} s of which warehouse lookups {lookups:.2f} s "
              f"(peak RSS so far {peak:.0f} MiB)")
    con.close()


def make_daily(rng, count: int, stories: list, copies_from: list | None, source: str, config: DedupConfig
               ) -> list[Article]:
    """Return ``count`` signed articles of generated stories, a tenth of them copies (last paragraph cut) of
    ``copies_from`` when given; new stories are appended to ``stories``."""
    from textgen import make_event, make_story

    made = []
    for _ in range(count):
        if copies_from and rng.random() < 0.1:
            story = rng.choice(copies_from)
            title, paragraphs = story.title, story.paragraphs[:-1]
        else:
            story = make_story(rng, make_event(rng, "en"))
            stories.append(story)
            title, paragraphs = story.title, story.paragraphs
        url = f"https://{source}.example/{len(stories)}-{rng.random()}"
        article = Article(source, url, url, title, [[p] for p in paragraphs])
        article.body, article.language = "\n\n".join(paragraphs), "en"
        made.append(article)
    return sign_articles(made, config).items


def run_record(run_id: str, documents: int = 0) -> dict:
    """Return the ``runs`` row load_run expects for a benchmark run."""
    import datetime

    return {"run_id": run_id, "name": None, "started_at": datetime.datetime.now(datetime.timezone.utc),
            "status": "succeeded", "inputs": [], "documents_read": documents, "summary": {}, "error": None}


def build_history(path: Path, size: int) -> None:
    """Fill a new warehouse with ``size`` articles of history in bulk SQL: every row the dedup lookups read.

    The rows are unrelated to the runs measured on top (random band keys, paragraph and skeleton fingerprints and
    signatures, as a year of other stories would be): they cost the lookups what a big warehouse costs, scans and
    joins over tens of millions of key rows, without the hours of parsing real pages.
    """
    import numpy as np
    import pyarrow as pa

    from warehouse.connection import connect

    con = connect(path)
    con.execute("INSERT INTO sources (source_id, name, kind) VALUES ('history', 'history', 'directory')")
    chunk = 100_000
    for start in range(0, size, chunk):
        end = min(size, start + chunk)
        con.execute(f"""
            INSERT INTO articles (article_id, source_id, url, title, body, language, content_hash, first_seen_run,
                                  last_seen_run, first_seen_at, updated_at, site)
            SELECT md5('h' || i), 'history', 'https://history.example/' || i, 'Story ' || i,
                   'Body of story ' || i, 'en', sha256('h' || i), 'history', 'history',
                   TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(i), now(), 'history.example'
            FROM range({start}, {end}) t(i)""")
        signatures = np.random.default_rng(start).integers(0, 2**32, size=(end - start, 120), dtype=np.uint32)
        ids = con.execute(f"SELECT md5('h' || i) FROM range({start}, {end}) t(i)").fetchall()
        history_signatures = pa.table({"article_id": [i for i, in ids],  # noqa: F841 (read by name in the SQL)
                                       "minhash": pa.array([row.tobytes() for row in signatures], pa.binary())})
        con.execute("INSERT INTO article_signatures (article_id, minhash) SELECT * FROM history_signatures")
        # per article: 24 band keys, 6 paragraph fingerprints (40 words), 4 sentence skeletons (20 words, a sentence)
        for table, per, extra in (("article_bands", 24, ""), ("article_paragraphs", 6, ", 40"),
                                  ("article_skeletons", 4, ", 20, CAST(hash(i, k, 'sentence') >> 1 AS BIGINT)")):
            con.execute(f"""INSERT INTO {table} SELECT CAST(hash(i, k, '{table}') >> 1 AS BIGINT), md5('h' || i){extra}
                            FROM range({start}, {end}) t(i), range({per}) r(k)""")
    con.close()


def history_run(path: str, size: int, history: int, batch: int = 1000) -> dict:
    """Load ``history`` real articles, then time a run of ``size`` new ones (a tenth copies of that history) into
    the warehouse at ``path``; return seconds and peak memory of the measured run."""
    import random

    from tasks.config import Settings
    from warehouse.load import load_within_memory, stage_batch

    rng, config = random.Random(11), DedupConfig()
    work = Path(tempfile.mkdtemp(prefix="newsflow-history-"))
    stories: list = []

    def stage(count: int, name: str, copies: bool) -> Path:
        staging = work / name
        for number, start in enumerate(range(0, count, batch), start=1):
            made = make_daily(rng, min(batch, count - start), stories, stories if copies else None, "daily", config)
            stage_batch(staging, number, made, [])
        return staging

    def run(staging: Path, run_id: str) -> float:
        """Load as flows/stages.py load_task does: DuckDB's memory capped (defaults), starting where the last
        load of the warehouse succeeded, doubled on running out."""
        started = time.perf_counter()
        load_within_memory(path, staging, run_record(run_id), {"daily": {"kind": "directory", "location": None}},
                           config, (Settings.load_memory, Settings.load_memory_max),
                           notify=lambda message: print(message, file=sys.stderr))
        return time.perf_counter() - started

    run(stage(history, "history", False), "history")
    staged = stage(size, "today", True)
    before = peak_rss_mb()
    seconds = run(staged, "today")
    return {"seconds": seconds, "peak_mb": peak_rss_mb(),
            "peak_before_mb": before}


def warehouse_scaling(big: int, size: int = 10_000, repeats: int = 3) -> None:
    """Print a run of ``size`` articles into an empty warehouse and into one holding ``big`` articles, each measured
    ``repeats`` times in a fresh process on a fresh copy of the warehouse (built once, in bulk); the ratio is of the
    fastest runs and of the lowest peaks (a shared machine only ever adds time)."""
    import json
    import shutil
    import subprocess

    work = Path(tempfile.mkdtemp(prefix="newsflow-warehouse-"))
    results = {}
    for label, history in (("empty", 0), (f"{big:,}", big)):
        built_path, path = work / f"{history}-built.duckdb", work / f"{history}.duckdb"
        clock = time.perf_counter()
        if history:
            build_history(built_path, history)
        else:
            from warehouse.connection import connect

            connect(built_path).close()
        built = time.perf_counter() - clock
        size_mb = built_path.stat().st_size / 2**20
        runs = []
        for _ in range(repeats):
            shutil.copyfile(built_path, path)
            out = subprocess.run([sys.executable, __file__, "--history-one", str(path), str(size)],
                                 capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            path.unlink()
        built_path.unlink()
        results[label] = {"seconds": min(r["seconds"] for r in runs), "peak_mb": min(r["peak_mb"] for r in runs)}
        print(f"warehouse of {label:>9} articles ({size_mb:,.0f} MB on disk, built in {built:.0f} s): a run of "
              f"{size:,} new articles (10 % copies) loaded and deduplicated in {results[label]['seconds']:.1f} s, "
              f"peak RSS {results[label]['peak_mb']:.0f} MB (best of {repeats}: "
              f"{', '.join(format(r['seconds'], '.1f') + ' s' for r in runs)}; "
              f"{', '.join(format(r['peak_mb'], '.0f') for r in runs)} MB)", flush=True)
    empty, full = results["empty"], results[f"{big:,}"]
    print(f"ratio: time {full['seconds'] / empty['seconds']:.2f}x, memory {full['peak_mb'] / empty['peak_mb']:.2f}x")


COMPANIES = [f"{a} {b}" for a in ("Northgate", "Harlow", "Calder", "Redmoor", "Stonebridge", "Kelby", "Oakhurst",
                                    "Tarrin", "Lowen", "Bramford")
             for b in ("Holdings", "Energy", "Foods", "Motors", "Bank", "Mining", "Logistics", "Pharma", "Telecom")]


def market_report(rng, number: int) -> Article:
    """Return one machine-written market report of a series: the same sentences, other names and figures."""
    company, price, change = rng.choice(COMPANIES), rng.uniform(5, 500), rng.uniform(-9, 9)
    volume, day = rng.randint(10_000, 9_000_000), rng.randint(1, 28)
    body = (f"Shares of {company} closed at {price:.2f} euros on day {day}, a change of {change:+.2f} percent from "
            f"the previous session. Trading volume reached {volume} shares, compared with an average of "
            f"{volume // 2 + day * 1000} over the past thirty sessions. The stock has moved {abs(change) * 3:.1f} "
            f"percent over the week. Analysts tracking {company} kept their ratings unchanged.\n\nThis report was "
            "generated automatically from exchange data and is updated every trading day at the close.")
    url = f"https://wire.example/markets/{number}"
    article = Article("wire", url, url, f"{company} closes at {price:.2f}", [[p] for p in body.split("\n\n")])
    article.body, article.language = body, "en"
    return article


def templated_run(size: int, batch: int = 1000) -> dict:
    """Load one run of ``size`` templated reports into an empty warehouse; return seconds and peak memory."""
    import random

    from warehouse.connection import connect
    from warehouse.load import load_run, stage_batch

    rng, config = random.Random(5), DedupConfig()
    work = Path(tempfile.mkdtemp(prefix="newsflow-templated-"))
    staging, signing = work / "staging", 0.0
    for number, start in enumerate(range(0, size, batch), start=1):
        made = [market_report(rng, i) for i in range(start, min(size, start + batch))]
        clock = time.perf_counter()
        signed = sign_articles(made, config).items
        signing += time.perf_counter() - clock
        stage_batch(staging, number, signed, [])
    con = connect(work / "w.duckdb")
    clock = time.perf_counter()
    counts = load_run(con, staging, run_record("templated", size), {"wire": {"kind": "directory", "location": None}},
                      config)
    loading = time.perf_counter() - clock
    con.close()
    return {"size": size, "signatures": signing, "load": loading, "duplicates": counts.duplicates,
            "peak_mb": peak_rss_mb()}


def templated(sizes: list[int]) -> None:
    """Print the cost of templated series of growing size, each loaded in a fresh process."""
    import json
    import subprocess

    print(f"{'reports':>8} {'signatures s':>13} {'load s':>8} {'load ms/report':>15} {'grouped':>8} {'peak MB':>8}")
    for size in sizes:
        out = subprocess.run([sys.executable, __file__, "--templated-one", str(size)], capture_output=True, text=True,
                             check=True)
        f = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{f['size']:>8} {f['signatures']:>13.2f} {f['load']:>8.2f} {1000 * f['load'] / f['size']:>15.3f} "
              f"{f['duplicates']:>8} {f['peak_mb']:>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=int, nargs="*", help="history sizes to time (e.g. 1000 10000 100000)")
    parser.add_argument("--templated", type=int, nargs="*", help="sizes of a templated series (e.g. 1000 8000 64000)")
    parser.add_argument("--templated-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=int, help="articles of history (e.g. 1000000): a 10,000-article run into "
                                                      "it against the same run into an empty warehouse")
    parser.add_argument("--repeat", type=int, default=3, help="--warehouse: runs of each (the best is compared)")
    parser.add_argument("--history-one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--ablate", action="store_true", help="the news set with each dedup rule switched off in turn")
    args = parser.parse_args()
    if args.ablate:
        ablate(args.seed)
    elif args.history_one:
        import json

        print(json.dumps(history_run(args.history_one[0], int(args.history_one[1]), 10_000)))
    elif args.warehouse:
        warehouse_scaling(args.warehouse, repeats=args.repeat)
    elif args.templated_one:
        import json

        print(json.dumps(templated_run(args.templated_one)))
    elif args.templated:
        templated(args.templated)
    elif args.scale:
        scale(args.scale)
    else:
        quality(args.originals, args.seed)


if __name__ == "__main__":
    main()
