"""Article-body extraction quality and speed: newsflow against trafilatura on the shared benchmark.

    .venv/bin/python benchmarks/extraction.py [--bench ../shared/benchmarks/article-extraction] [--worst 10]

The benchmark (181 real pages with hand-checked bodies; see its README and ATTRIBUTION) lives in ../shared.
The metric is the benchmark's own: word 4-gram shingles (``\\w+`` tokens, case kept) counted per document,
true/false positives and negatives normalised per document, precision and recall averaged over documents,
F1 of the two means. Speed is pages per second of extraction alone (pages already decompressed and decoded),
one process, for each extractor in the same run.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_BENCH = ROOT.parent / "shared" / "benchmarks" / "article-extraction"
TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter:
    """Count the word n-grams of a text (a text shorter than n words is one shingle)."""
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def score_document(true: str, pred: str) -> tuple[float, float, float]:
    """Return the normalised (tp, fp, fn) of one document's shingles."""
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def summarise(scores: list[tuple[float, float, float]]) -> dict[str, float]:
    """Mean precision, mean recall and the F1 of those means, as the benchmark computes them."""
    def precision(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean(precision(*s) for s in scores if s[0] + s[1] > 0)
    r = statistics.mean(recall(*s) for s in scores if s[0] + s[2] > 0)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r)}


def load_pages(bench: Path) -> tuple[dict[str, str], dict[str, str]]:
    truth = {k: v.get("articleBody", "") for k, v in json.loads((bench / "ground-truth.json").read_text()).items()}
    pages = {}
    for path in sorted((bench / "html").glob("*.html.gz")):
        with gzip.open(path, "rt", encoding="utf8") as handle:
            pages[path.name.split(".")[0]] = handle.read()
    return truth, pages


def extract_newsflow(html: str) -> str:
    """The body newsflow stores: its extractor, then the clean stage's rules (no per-source learning)."""
    from tasks.article import Article
    from tasks.clean import clean_articles
    from tasks.config import CleanConfig
    from tasks.parse import ParseError, parse_html

    try:
        title, paragraphs, _ = parse_html(html)
    except ParseError:
        return ""
    result = clean_articles([Article("bench", "x", "x", title, paragraphs)], CleanConfig())
    return result.items[0].body if result.items else ""


def extract_trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def run(name: str, extract, truth: dict, pages: dict) -> tuple[dict, dict]:
    extract(next(iter(pages.values())))  # warm imports and caches outside the clock
    outputs, started = {}, time.perf_counter()
    for key, html in pages.items():
        outputs[key] = extract(html)
    seconds = time.perf_counter() - started
    per_doc = {key: score_document(truth[key], outputs[key]) for key in pages}
    metrics = summarise(list(per_doc.values()))
    metrics["pages_per_second"] = len(pages) / seconds
    return metrics, per_doc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--worst", type=int, default=0, help="list newsflow's N worst pages")
    parser.add_argument("--only", choices=("newsflow", "trafilatura"), help="run one extractor")
    args = parser.parse_args()
    if not (args.bench / "ground-truth.json").exists():
        print(f"benchmark data not found at {args.bench}: it lives in ../shared/benchmarks/article-extraction "
              "beside the project (pass --bench DIR)", file=sys.stderr)
        return 2
    truth, pages = load_pages(args.bench)
    print(f"{len(pages)} pages from {args.bench}")
    extractors = {"newsflow": extract_newsflow, "trafilatura": extract_trafilatura}
    results = {}
    for name, extract in extractors.items():
        if args.only and name != args.only:
            continue
        metrics, per_doc = run(name, extract, truth, pages)
        results[name] = per_doc
        print(f"{name:<12} F1 {metrics['f1']:.4f}  precision {metrics['precision']:.4f}  "
              f"recall {metrics['recall']:.4f}  {metrics['pages_per_second']:.1f} pages/s")
    if args.worst and "newsflow" in results:
        ranked = sorted(results["newsflow"].items(), key=lambda kv: kv[1][0])
        for key, (tp, fp, fn) in ranked[: args.worst]:
            print(f"  {key[:16]}  tp {tp:.2f} fp {fp:.2f} fn {fn:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
