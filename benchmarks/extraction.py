"""Extraction quality and speed: newsflow against trafilatura on both shared benchmarks, in one run.

    .venv/bin/python benchmarks/extraction.py [--sets wcxb-dev article-extraction] [--limit N] [--dump FILE]

Data (read-only, beside the project): ../shared/benchmarks/wcxb-dev (1,497 pages of 2025-26 with reviewed main
text, title, author, date and page type) and ../shared/benchmarks/article-extraction (181 pages, body only).

Figures printed per set and extractor:
- body: wcxb-dev's metric (word-bag F1 of lower-cased ``\\w+`` tokens per article page, averaged) and, on
  article-extraction, that benchmark's own (word 4-gram shingles, F1 of the mean precision and recall);
- headline: exact match after white space is collapsed (and Unicode NFC, typographic quotes straightened as
  wcxb's reviewers wrote them), pages whose truth has a title;
- date: right day, pages whose truth has a date (neither set gives a time of day, so no right-minute rate);
  wcxb-dev's truth is the date a page shows, which is often its last update: "shown" also counts a
  last-modified day that matches (trafilatura gives one date, so its "shown" is its "day");
- authors: the ``\\w+`` tokens of the names given, in order, equal those of the truth (connectors such as
  "and" and "&" ignored), pages whose truth names an author; "none given" on pages whose truth has none.
  newsflow keeps people in ``authors`` and an organisation credited as author apart (``organisation``);
  wcxb credits both as author, so where no person is named the organisation is compared;
- rejected: article pages newsflow refused (the count should be 0);
- not-article: precision and recall of newsflow's ``not_article`` reject against the page types (every
  non-article page type is a positive), all pages of wcxb-dev; trafilatura has no such decision;
- ms per page: decoding and extraction of the page's bytes (already decompressed), one process, same run.
newsflow's figures are those of the stages that build the stored article: parse (extract, headline, date,
authors, page type) and clean (the rule-based boilerplate pass, without per-source learning).
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "benchmarks"
TOKEN = re.compile(r"\w+", re.UNICODE)
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})  # the truth straightens typographic quotes
CONNECTORS = {"and", "und", "et", "y", "e"}


# ---------------------------------------------------------------- metrics

def shingles(text: str, n: int = 4) -> Counter:
    """Count the word n-grams of a text (a text shorter than n words is one shingle)."""
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def score_shingles(true: str, pred: str) -> tuple[float, float, float]:
    """Return the normalised (tp, fp, fn) of one document's shingles (article-extraction's metric)."""
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def summarise_shingles(scores: list[tuple[float, float, float]]) -> float:
    """Return the F1 of the mean precision and mean recall, as article-extraction computes it."""
    def precision(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean(precision(*s) for s in scores if s[0] + s[1] > 0)
    r = statistics.mean(recall(*s) for s in scores if s[0] + s[2] > 0)
    return 2 * p * r / (p + r)


def word_f1(true: str, pred: str) -> tuple[float, float, float]:
    """Return (precision, recall, F1) of lower-cased word bags (wcxb's metric)."""
    t, p = Counter(TOKEN.findall((true or "").lower())), Counter(TOKEN.findall((pred or "").lower()))
    if not t and not p:
        return 1.0, 1.0, 1.0
    common = sum((t & p).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(p.values()), common / sum(t.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def same_headline(true: str, pred: str) -> bool:
    fold = lambda s: " ".join(unicodedata.normalize("NFC", s or "").translate(QUOTES).split())  # noqa: E731
    return fold(true) == fold(pred)


def author_tokens(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.casefold()) if t not in CONNECTORS]


def same_authors(true: str, pred: list[str]) -> bool:
    return author_tokens(true) == author_tokens(" ".join(pred))


# ---------------------------------------------------------------- data

def load_set(name: str, limit: int = 0) -> list[dict]:
    """Return the pages of one benchmark set as dicts of html, url and truth fields."""
    bench = SHARED / name
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[: limit or None]:
        path = bench / "html" / f"{key}.html.gz"
        if not path.exists():
            continue
        item = truth[key]
        pages.append({"key": key, "html": gzip.decompress(path.read_bytes()), "url": item.get("url") or "",
                      "type": item.get("page_type", "article"),
                      "body": item.get("main_content", item.get("articleBody", "")),
                      "title": item.get("title"), "author": item.get("author"), "date": item.get("publish_date")})
    return pages


# ---------------------------------------------------------------- extractors

def extract_newsflow(data: bytes, url: str) -> dict:
    """Return what newsflow stores for a page: body, title, date, authors, or the reject reason."""
    from tasks.article import Document
    from tasks.clean import clean_articles
    from tasks.config import CleanConfig
    from tasks.parse import parse_documents
    from tasks.read import DecodeError, decode_bytes

    try:
        html = decode_bytes(data)[0]
    except DecodeError as exc:
        return {"body": "", "title": "", "date": None, "authors": [], "reject": exc.reason}
    parsed = parse_documents([Document("bench", url or "bench", "html", b"", html, "utf-8", url=url or None)])
    if not parsed.items:
        reject = parsed.rejects[0]
        return {"body": "", "title": "", "date": None, "authors": [], "reject": reject.reason}
    cleaned = clean_articles(parsed.items, CleanConfig())
    article = cleaned.items[0] if cleaned.items else parsed.items[0]
    if not cleaned.items:
        return {"body": "", "title": article.title, "date": article.published_at, "authors": [],
                "reject": cleaned.rejects[0].reason if cleaned.rejects else "clean"}
    return {"body": article.body, "title": article.title, "date": article.published_at,
            "modified": article.metadata.get("modified_at"),
            "authors": article.metadata.get("authors") or [article.metadata[key] for key in ("organisation",)
                                                           if article.metadata.get(key)],
            "reject": None}


def extract_trafilatura(html: bytes, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url or None, with_metadata=True, include_comments=False)
    if doc is None:
        return {"body": "", "title": "", "date": None, "authors": [], "reject": "none"}
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    author = get("author") or ""
    return {"body": get("text") or "", "title": get("title") or "", "date": get("date"),
            "authors": [a.strip() for a in author.split(";") if a.strip()], "reject": None}


EXTRACTORS = {"newsflow": extract_newsflow, "trafilatura": extract_trafilatura}


# ---------------------------------------------------------------- run

def evaluate(name: str, pages: list[dict], extract) -> tuple[dict, list[dict]]:
    """Run one extractor over a set; return its figures and per-page results."""
    extract(pages[0]["html"], pages[0]["url"])  # warm imports and caches outside the clock
    results, started = [], time.perf_counter()
    for page in pages:
        results.append(extract(page["html"], page["url"]))
    seconds = time.perf_counter() - started
    figures: dict = {"ms": 1000 * seconds / len(pages)}
    articles = [(p, r) for p, r in zip(pages, results) if p["type"] == "article"]
    if name == "article-extraction":
        figures["body"] = summarise_shingles([score_shingles(p["body"], r["body"]) for p, r in articles])
    else:
        figures["body"] = statistics.mean(word_f1(p["body"], r["body"])[2] for p, r in articles)
    figures["body_precision"] = statistics.mean(word_f1(p["body"], r["body"])[0] for p, r in articles)
    figures["body_recall"] = statistics.mean(word_f1(p["body"], r["body"])[1] for p, r in articles)
    titled = [(p, r) for p, r in articles if p["title"]]
    if titled:
        figures["headline"] = sum(same_headline(p["title"], r["title"]) for p, r in titled) / len(titled)
    dated = [(p, r) for p, r in articles if p["date"]]
    if dated:
        figures["date_day"] = sum(str(r["date"] or "")[:10] == p["date"] for p, r in dated) / len(dated)
        figures["date_shown"] = sum(p["date"] in (str(r["date"] or "")[:10], str(r.get("modified") or "")[:10])
                                    for p, r in dated) / len(dated)
        undated = [(p, r) for p, r in articles if not p["date"]]
        figures["date_none"] = sum(not r["date"] for p, r in undated) / max(1, len(undated))
    credited = [(p, r) for p, r in articles if p["author"]]
    if credited:
        figures["authors"] = sum(same_authors(p["author"], r["authors"]) for p, r in credited) / len(credited)
        uncredited = [(p, r) for p, r in articles if not p["author"] and p["title"]]
        figures["authors_none"] = sum(not r["authors"] for p, r in uncredited) / max(1, len(uncredited))
    figures["rejected"] = sum(1 for p, r in articles if r["reject"])
    if any(p["type"] != "article" for p in pages) and name == "wcxb-dev":
        said = [r["reject"] == "not_article" for r in results]
        truth = [p["type"] != "article" for p in pages]
        tp = sum(s and t for s, t in zip(said, truth))
        figures["not_article_p"] = tp / max(1, sum(said)) if sum(said) else float("nan")
        figures["not_article_r"] = tp / max(1, sum(truth))
    return figures, results


def format_row(extractor: str, f: dict, has_types: bool) -> str:
    def pct(key):
        return f"{100 * f[key]:5.1f}%" if key in f else "     -"

    na = "    -" if extractor != "newsflow" or not has_types else None
    not_article = na or (f"{f['not_article_p']:.3f}/{f['not_article_r']:.3f}")
    return (f"{extractor:<12} {f['body']:.4f} (p {f['body_precision']:.3f} r {f['body_recall']:.3f})  "
            f"{pct('headline')}  {pct('date_day')} {pct('date_shown')} {pct('date_none')}  {pct('authors')} {pct('authors_none')}  "
            f"{f['rejected']:4d}  {not_article:>11}  {f['ms']:6.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["wcxb-dev", "article-extraction"])
    parser.add_argument("--only", choices=tuple(EXTRACTORS), help="run one extractor")
    parser.add_argument("--limit", type=int, default=0, help="first N pages of each set")
    parser.add_argument("--dump", type=Path, help="write newsflow's per-page results here (JSON Lines)")
    args = parser.parse_args()
    missing = [s for s in args.sets if not (SHARED / s / "ground-truth.json").exists()]
    if missing:
        print(f"benchmark data not found: {', '.join(str(SHARED / s) for s in missing)} (the sets live in "
              "../shared/benchmarks beside the project)", file=sys.stderr)
        return 2
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    speed: dict = {}
    for set_name in args.sets:
        pages = load_set(set_name, args.limit)
        has_types = any(p["type"] != "article" for p in pages)
        print(f"\n{set_name}: {len(pages)} pages, {sum(p['type'] == 'article' for p in pages)} articles")
        print(f"{'':<12} {'body F1':<30}  {'title':>6}  {'day':>6} {'shown':>6} {'undtd':>6}  {'author':>6} {'no-au':>6}  "
              f"{'rej':>4}  {'not-art p/r':>11}  {'ms/pg':>6}")
        for extractor, extract in EXTRACTORS.items():
            if args.only and extractor != args.only:
                continue
            figures, results = evaluate(set_name, pages, extract)
            speed.setdefault(extractor, []).append(figures["ms"])
            print(format_row(extractor, figures, has_types), flush=True)
            if dump and extractor == "newsflow":
                for page, result in zip(pages, results):
                    p, r, f1 = word_f1(page["body"], result["body"])
                    dump.write(json.dumps({"set": set_name, "key": page["key"], "type": page["type"],
                                           "url": page["url"], "f1": f1, "p": p, "r": r,
                                           "truth_title": page["title"], "title": result["title"],
                                           "truth_date": page["date"], "date": result["date"],
                                           "modified": result.get("modified"),
                                           "truth_author": page["author"], "authors": result["authors"],
                                           "reject": result["reject"]}, ensure_ascii=False) + "\n")
    if len(speed) == 2:
        ratio = statistics.mean(speed["trafilatura"]) / statistics.mean(speed["newsflow"])
        print(f"\nnewsflow pages per second / trafilatura's: {ratio:.2f}x")
    print("(day: right publication day where the truth has a date; shown: the truth's day is the publication or "
          "the last-modified day (wcxb dates the day a page shows, often its update); undtd: no date given where it has none; author: exact "
          "where the truth names one; no-au: none given where it names none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
