"""Stage 4: detect languages per paragraph and per article, from evidence: script first, the detector within it.

News quotes other languages, so each paragraph long enough to judge is judged on its own; an article's languages
are the shares of its letters, its language the largest share, with the headline's language and the page's
declared one breaking near ties. A paragraph's script decides first (tasks/data/languages.toml): Hangul is
Korean, kana Japanese, Han alone Chinese (simplified or traditional by its characters), a script of one language
names it; within a script of several languages the detector (langdetect semantics, seeded) chooses, limited to
them. A language the detector has no profile for comes out as its nearest neighbour with p ~1.0; the answer turns
``und`` only on positive evidence for such a language (its own words and letters), never for a few foreign
letters: names and quotations are normal in news. Short paragraphs and unsure guesses take the article's language.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import langdetect_rs
import numpy as np
from langdetect_rs import DetectorFactory
from langdetect_rs.detector_factory import init_factory

from tasks.article import Article, StageResult
from tasks.config import LanguageConfig, read_data_file

DetectorFactory.seed = 0  # langdetect is random without a seed: the same text could change language
EVIDENCE_FILE = Path(__file__).parent / "data" / "languages.toml"
WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
SYMBOLS = frozenset("¡¢£¥¦ª¬¯±²³µ¶¸¹º¼¾¿¨´")  # Central European and Baltic letters read as Latin-1 or cp1252
INNER_SYMBOL = re.compile("(?<=[^\\W\\d_])[\u0080-\u00bf\u00d7\u00f7]+(?=[^\\W\\d_])")  # a symbol inside a word
CJK_WEIGHT = 2  # a Han, kana or Hangul character says about as much as two letters of an alphabet
KANA_SHARE, HANGUL_SHARE = 0.1, 0.3  # of a CJK text's characters: Japanese, Korean
# what a page may declare ("zh_TW", "zh-Hant-HK", "iw") -> the detector's codes
DECLARED_ALIASES = {"nb": "no", "nn": "no", "iw": "he", "in": "id", "fil": "tl", "zh-hant": "zh-tw",
                    "zh-hk": "zh-tw", "zh-mo": "zh-tw", "zh-hans": "zh-cn", "zh-sg": "zh-cn"}


@dataclass(frozen=True)
class Profile:
    """What a language's text looks like: its script, function words and alphabet (base letters included)."""

    code: str
    script: str
    words: frozenset
    letters: frozenset
    lacking: bool  # the detector has no profile for it


@dataclass(frozen=True)
class Evidence:
    """The script table and language profiles of tasks/data/languages.toml."""

    scripts: tuple  # script names; a script's id is its index + 1 (0: not a letter)
    table: np.ndarray  # code point -> script id
    languages: dict  # script -> the languages it may be
    cjk: np.ndarray  # per script id: Han, kana, Hangul or Bopomofo
    profiles: dict  # code -> Profile
    thresholds: dict
    codepages: tuple  # (translation table, languages, the characters it changes)
    codepage_characters: frozenset  # every character a code-page translation changes
    word_index: dict  # function word -> the languages whose list holds it
    rivals: dict  # code -> the languages its text may turn out to be (see verify_language)
    word_patterns: dict  # script -> a pattern of its words (a word of another script is a quotation or a name)

    def script_id(self, name: str) -> int:
        return self.scripts.index(name) + 1


@lru_cache(maxsize=2)
def load_evidence(path: str = "") -> Evidence:
    """Load the scripts, word lists and alphabets that language decisions rest on."""
    import unicodedata

    data = read_data_file(path or EVIDENCE_FILE)
    names = tuple(data["scripts"])
    table = np.zeros(0x30000, dtype=np.uint8)
    for number, name in enumerate(names, start=1):
        for span in data["scripts"][name]["ranges"]:
            first, _, last = span.partition("-")
            table[int(first, 16):int(last or first, 16) + 1] = number
    # punctuation and digits inside a script's block are not its letters (the CJK ranges above list letters only)
    mixed = 0x2E80
    table[:mixed][[unicodedata.category(chr(cp))[0] not in "LM" for cp in range(mixed)]] = 0
    cjk = np.array([False] + [bool(data["scripts"][n].get("cjk")) for n in names])
    profiles = {}
    for code, spec in data["lang"].items():
        script = spec.get("script", "Latin")
        base = data["scripts"][script].get("base", "")
        profiles[code] = Profile(code, script, frozenset(w.casefold() for w in spec["words"]),
                                 frozenset((base + spec["letters"]).casefold()), bool(spec.get("lacking")))
    codepages = []
    for read_as, written, codes in data["codepages"]:
        mapping = {}
        for byte in range(0x80, 0x100):
            try:
                seen, meant = bytes([byte]).decode(read_as), bytes([byte]).decode(written)
            except UnicodeDecodeError:
                continue
            if seen != meant:
                mapping[ord(seen)] = meant
        codepages.append((mapping, tuple(codes), frozenset(map(chr, mapping))))
    changing = frozenset().union(*(changed for _, _, changed in codepages))
    thresholds = {k: v for k, v in data.items() if isinstance(v, (int, float))}
    word_index: dict[str, tuple] = {}
    for code, profile in profiles.items():
        for word in profile.words:
            word_index[word] = word_index.get(word, ()) + (code,)
    # a Latin-script language the detector has is the detector's call; in other scripts letters tell them apart
    rivals = {code: tuple(other.code for other in profiles.values() if other.code != code
                          and other.script == profile.script and (other.lacking or profile.script != "Latin"))
              for code, profile in profiles.items()}
    patterns = {}
    for name in {profile.script for profile in profiles.values()}:
        spans = "".join(f"\\U{int(a, 16):08x}-\\U{int(b or a, 16):08x}"
                        for a, _, b in (span.partition("-") for span in data["scripts"][name]["ranges"]))
        patterns[name] = re.compile(f"[{spans}]+(?:['’][{spans}]+)?")
    return Evidence(names, table, {n: tuple(data["scripts"][n]["languages"]) for n in names}, cjk, profiles,
                    thresholds, tuple(codepages), changing, word_index, rivals, patterns)


def count_scripts(text: str, evidence: Evidence | None = None) -> np.ndarray:
    """Count a text's letters (marks included: a Devanagari vowel sign is half the word) per script id."""
    evidence = evidence or load_evidence()
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    ids = evidence.table[np.minimum(points, len(evidence.table) - 1)]
    return np.bincount(ids, minlength=len(evidence.scripts) + 1)


def count_paragraph_scripts(paragraphs: list[str], evidence: Evidence) -> np.ndarray:
    """Return the letters per script of each paragraph (rows), in one pass over their code points."""
    width = len(evidence.scripts) + 1
    if not paragraphs:
        return np.zeros((0, width), dtype=np.int64)
    text = "".join(paragraphs)
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    ids = evidence.table[np.minimum(points, len(evidence.table) - 1)].astype(np.int64)
    rows = np.repeat(np.arange(len(paragraphs)), [len(p) for p in paragraphs])
    return np.bincount(rows * width + ids, minlength=len(paragraphs) * width).reshape(len(paragraphs), width)


def count_letters(text: str) -> int:
    """Count letters and marks, the evidence a language guess rests on."""
    return int(count_scripts(text)[1:].sum())


def weigh_letters(counts: np.ndarray, evidence: Evidence) -> np.ndarray:
    """Return the letters of each row of script counts, a CJK character counted as ``CJK_WEIGHT`` letters."""
    return counts[..., 1:].sum(axis=-1) + (CJK_WEIGHT - 1) * counts[..., evidence.cjk].sum(axis=-1)


def detect_languages(texts: list[str], config: LanguageConfig, letters: list[int] | None = None
                     ) -> list[tuple[str, float]]:
    """Return the detector's (language code, probability) per text, as langdetect says it; ``und`` when too short
    or undetectable (``letters``: each text's ``count_letters``, when the caller has counted them)."""
    results: list[tuple[str, float]] = [("und", 0.0)] * len(texts)
    letters = letters or [count_letters(text) for text in texts]
    judged = [i for i, count in enumerate(letters) if count >= config.min_letters]
    guesses = langdetect_rs.detect_langs_batch([texts[i] for i in judged]) if judged else []
    for i, guess in zip(judged, guesses):
        if guess:
            best = guess[0]
            if best.prob >= config.min_probability:
                results[i] = (best.lang, round(float(best.prob), 6))
    return results


def detect_within(text: str, languages: tuple) -> tuple[str, float]:
    """Ask the detector again with its choice limited to ``languages`` (the text's script): (code, probability)."""
    init_factory()
    from langdetect_rs import detector_factory

    detector = detector_factory._factory.create()
    known = [code for code in languages if code in detector.langlist]
    if not known:
        return "und", 0.0
    detector.set_prior_map({code: 1.0 for code in known})
    detector.append(text)
    try:
        found = detector.get_probabilities()
    except langdetect_rs.LangDetectException:
        return "und", 0.0
    return (found[0].lang, float(found[0].prob)) if found else ("und", 0.0)


def normalize_declared(value: str | None) -> str | None:
    """Return the detector's code for a declared language ("pt-BR" -> "pt", "zh_TW" -> "zh-tw"), or None."""
    if not value:
        return None
    tag = value.strip().replace("_", "-").casefold()
    parts = tag.split("-")
    if parts[0] == "zh":
        if len(parts) > 1 and parts[1] in ("tw", "hk", "mo", "hant"):
            return "zh-tw"
        if len(parts) > 1 and parts[1] in ("cn", "sg", "hans"):
            return "zh-cn"
        return "zh"
    return DECLARED_ALIASES.get(parts[0], parts[0]) if parts[0].isalpha() else None


@lru_cache(maxsize=1)
def han_variants() -> tuple[frozenset, frozenset]:
    """Return the characters only traditional Chinese writes and those only simplified writes (CC-CEDICT, zhon)."""
    from zhon import cedict

    traditional, simplified = frozenset(cedict.traditional), frozenset(cedict.simplified)
    return traditional - simplified, simplified - traditional


def decide_han(text: str, declared: str | None) -> tuple[str, float]:
    """Tell simplified from traditional Chinese by the characters only one of them writes; the page's declaration
    (or the detector, limited to the two) when the text has none of them."""
    traditional, simplified = han_variants()
    trad = sum(map(traditional.__contains__, text))
    simp = sum(map(simplified.__contains__, text))
    if trad != simp:
        return ("zh-tw", trad / (trad + simp)) if trad > simp else ("zh-cn", simp / (trad + simp))
    if declared in ("zh-tw", "zh-cn"):
        return declared, 0.5
    return detect_within(text, ("zh-cn", "zh-tw"))


def decide_script(text: str, counts: np.ndarray, evidence: Evidence, declared: str | None
                  ) -> tuple[str, float] | str:
    """Return (language, confidence) when a text's script names its language, else the script's name (the
    detector chooses among its languages)."""
    total = counts[1:].sum()
    if not total:
        return "und", 0.0
    cjk = counts[evidence.cjk].sum()
    if cjk * 2 >= total:
        hangul, kana = counts[evidence.script_id("Hangul")], counts[evidence.script_id("Kana")]
        if hangul >= HANGUL_SHARE * cjk:
            return "ko", float(cjk / total)
        if kana >= KANA_SHARE * cjk:
            return "ja", float(cjk / total)
        return decide_han(text, declared)
    script = evidence.scripts[int(np.argmax(counts[1:]))]
    languages = evidence.languages[script]
    if len(languages) == 1:
        return languages[0], float(counts[1:].max() / total)
    if not languages:
        return "und", 0.0
    return script


def judge_texts(texts: list[str], counts: list[np.ndarray], config: LanguageConfig, evidence: Evidence,
                declared: list[str | None]) -> list[tuple[str, float]]:
    """Return (language, probability) per text: by its script where the script tells, else by the detector within
    the script (``counts``: each text's letters per script; ``declared``: each text's page declaration)."""
    results: list[tuple[str, float]] = [("und", 0.0)] * len(texts)
    if not texts:
        return results
    matrix = np.vstack(counts)
    weights = weigh_letters(matrix, evidence)
    latin = evidence.script_id("Latin")
    ask: dict[int, str] = {}
    for i in np.flatnonzero(weights >= config.min_letters).tolist():
        row = matrix[i]
        if row[latin] == weights[i]:  # letters of the Latin script only: the detector chooses (most news)
            ask[i] = "Latin"
            continue
        decided = decide_script(texts[i], row, evidence, declared[i])
        if isinstance(decided, str):
            ask[i] = decided
        else:
            results[i] = decided
    guesses = langdetect_rs.detect_langs_batch([texts[i] for i in ask]) if ask else []
    for (i, script), guess in zip(ask.items(), guesses):
        languages = evidence.languages[script]
        if guess and guess[0].lang in languages:
            found = guess[0].lang, float(guess[0].prob)
        else:  # the detector's best is of another script (traditional Chinese as Korean): ask within this one
            found = detect_within(texts[i], languages)
        if found[1] >= config.min_probability:
            results[i] = (found[0], round(found[1], 6))
    return results


def split_for_detection(paragraphs: list[str], counts: np.ndarray, config: LanguageConfig, evidence: Evidence
                        ) -> tuple[list[int], int]:
    """Return the indexes of the paragraphs long enough to judge alone and the letters of the rest."""
    weights = weigh_letters(counts, evidence)
    long = weights >= config.paragraph_min_letters
    return [int(i) for i in np.flatnonzero(long)], int(counts[~long, 1:].sum())


def count_words(words: list[str], evidence: Evidence, language: str) -> tuple[int, Counter, Counter]:
    """Return the words of ``language``'s list among ``words``, and per other language those of its list and those
    both lists share (one pass over the distinct listed words)."""
    own, theirs, shared = 0, Counter(), Counter()
    counts = Counter(words)
    for word in counts.keys() & evidence.word_index.keys():
        count, codes = counts[word], evidence.word_index[word]
        mine = language in codes
        own += count * mine
        for code in codes:
            theirs[code] += count
            if mine:
                shared[code] += count
    return own, theirs, shared


def verify_language(text: str, language: str, evidence: Evidence) -> str:
    """Return the language a text detected as ``language`` is in: the same, another language of its script whose
    own words and letters the text has far more of (Urdu detected as Persian), or ``und`` for a language the
    detector lacks (Zulu as Swahili). Languages without a profile are taken as detected."""
    mine = evidence.profiles.get(language)
    if mine is None:
        return language
    limits = evidence.thresholds
    script_id = evidence.script_id(mine.script)
    sample = text[:20000].casefold()
    plain = sample.isascii()  # (most English: every word Latin, no letter beyond a-z)
    words = WORDS.findall(sample) if plain else evidence.word_patterns[mine.script].findall(sample)
    if len(words) < limits["min_words"]:
        return language  # too little text to judge either way
    own, theirs, shared = count_words(words, evidence, language)
    if own < limits["absent_coverage"] * len(words) and len(words) >= limits["absent_min_words"]:
        return "und"  # not even the commonest words of the language: a language the detector has no profile for
    foreign, letters = {}, 1
    if not plain:
        tally = tally_letters(sample, evidence)
        foreign = {ch: n for ch, n in tally.rare.items() if ch not in mine.letters
                   and evidence.table[min(ord(ch), len(evidence.table) - 1)] == script_id}
        letters = max(1, int(tally.scripts[script_id]))
    best, best_score = language, 0.0
    for code in evidence.rivals[language]:
        other = evidence.profiles[code]
        distinct = sum(n for ch, n in foreign.items() if ch in other.letters) / letters
        score = (theirs[code] - shared[code]) / len(words) + limits["letter_weight"] * distinct
        ours = (own - shared[code]) / len(words)
        if (score >= limits["lacking_min_share"] and score > limits["lacking_ratio"] * ours and score > best_score
                and (theirs[code] - shared[code] >= 2 or distinct * letters >= 2 * limits["repair_min_changed"])):
            best, best_score = code, score
    if best == language:
        return language
    return "und" if evidence.profiles[best].lacking else best


@dataclass(frozen=True)
class Tally:
    """A (case folded) text's letters: those beyond ASCII one by one, a-z together, and the count per script."""

    rare: dict  # letter beyond ASCII -> count
    ascii: int  # letters a-z
    scripts: np.ndarray  # script id -> letters

    def foreign_to(self, letters: frozenset) -> int:
        """Count the letters an alphabet does not hold (a-z are all in a Latin alphabet, none in another)."""
        return sum(n for ch, n in self.rare.items() if ch not in letters) + (0 if "a" in letters else self.ascii)


def tally_letters(sample: str, evidence: Evidence) -> Tally:
    """Count a (case folded) text's letters in one pass over its code points."""
    points = np.frombuffer(sample.encode("utf-32-le"), dtype="<u4")
    ids = evidence.table[np.minimum(points, len(evidence.table) - 1)]
    beyond = points > 0x7F
    found, counts = np.unique(points[(ids > 0) & beyond], return_counts=True)
    return Tally(dict(zip(map(chr, found.tolist()), counts.tolist())), int(np.count_nonzero((ids > 0) & ~beyond)),
                 np.bincount(ids, minlength=len(evidence.scripts) + 1))


def share_of_words(words: list[str], vocabulary: frozenset) -> float:
    return sum(map(vocabulary.__contains__, words)) / len(words) if words else 0.0


def measure_fit(text: str, profile: Profile, evidence: Evidence) -> tuple[float, int, int]:
    """Return how a text reads as a language: the share of its words in the language's list, and its letters
    outside the language's alphabet (of any script; symbols inside words count too) against all its letters."""
    sample = text[:20000].casefold()
    words = WORDS.findall(sample)
    coverage = share_of_words(words, profile.words) if len(words) >= evidence.thresholds["min_words"] else 0.0
    tally = tally_letters(sample, evidence)
    strange = len(INNER_SYMBOL.findall(sample))  # "bud¿et", "og³osi³": a code page's letters read as symbols
    return coverage, tally.foreign_to(profile.letters) + strange, int(tally.scripts[1:].sum())


def repair_codepage(lines: list[str], evidence: Evidence | None = None) -> list[str]:
    """Return lines of text written in one single-byte code page and read in another, translated back; the same
    list when there is nothing to repair.

    Turkish read through cp1252 ("Büyükþehir" for "Büyükşehir"), Central European through cp1252 or Latin-1
    ("bud¿et" for "budżet"), Cyrillic through cp1252. A translation is made only when it is certain: as read, the
    text's letters fit no language's alphabet; translated, the text fits one of the code page's languages (its
    function words, its letters only) and has at most a tenth of the letters that language does not write that the
    text as read has. Icelandic keeps its þ and ð, French its à, a Polish story its quoted Danish paragraph.
    """
    if all(line.isascii() for line in lines):
        return lines
    evidence = evidence or load_evidence()
    text = "\n".join(lines)
    present = set(text)
    if present.isdisjoint(evidence.codepage_characters):
        return lines  # most text: no character that a code page misread would show
    symbols = not present.isdisjoint(SYMBOLS)
    own = {low for ch in present if ord(ch) > 0x7F and ch.isalpha() for low in ch.lower()}
    if not symbols and any(own <= profile.letters for profile in evidence.profiles.values()):
        return lines  # every letter a language's own (French à, Icelandic þ): nothing was misread (most text)
    limits = evidence.thresholds
    tally = tally_letters(text.casefold(), evidence)
    allowed = limits["fit_foreign"] * int(tally.scripts[1:].sum())
    strange = len(INNER_SYMBOL.findall(text)) if symbols else 0  # "bud¿et", "og³osi³": letters read as symbols
    if strange <= allowed and any(sum(n for ch, n in tally.rare.items() if ch not in profile.letters)
                                  <= allowed - strange for profile in evidence.profiles.values()):
        return lines  # the letters are a language's own, but for a few (names): nothing was misread
    for mapping, codes, changed in evidence.codepages:
        if present.isdisjoint(changed):
            continue
        translated = text.translate(mapping)
        for code in codes:
            coverage, foreign, _ = measure_fit(translated, evidence.profiles[code], evidence)
            if coverage < limits["fit_coverage"] or foreign > allowed:
                continue
            before = measure_fit(text, evidence.profiles[code], evidence)[1]
            if before < limits["repair_min_changed"] or before < 10 * foreign:
                continue  # the translation leaves much of the foreign: a quotation or names, not a code page
            return [line.translate(mapping) for line in lines]
    return lines


def detect_article_languages(articles: list[Article], config: LanguageConfig) -> StageResult:
    """Set each article's languages (letter shares), language and probability: one detector call for the batch's
    paragraphs, one for the headlines of articles whose languages are near a tie."""
    evidence = load_evidence()
    texts, counts, declared, owners, rest, declared_by_article = [], [], [], [], [], []
    for index, article in enumerate(articles):
        said = normalize_declared(article.metadata.get("declared_language"))
        paragraphs = article.body.split("\n\n")
        rows = count_paragraph_scripts(paragraphs, evidence)
        long, short_letters = split_for_detection(paragraphs, rows, config, evidence)
        if not long and short_letters:  # nothing long enough alone: judge the body as one text
            units = [(article.body, rows.sum(axis=0), short_letters)]
            short_letters = 0
        else:
            units = [(paragraphs[i], rows[i], int(rows[i, 1:].sum())) for i in long]
        for text, row, letters in units:
            texts.append(text)
            counts.append(row)
            declared.append(said)
            owners.append((index, letters))
        rest.append(short_letters)
        declared_by_article.append(said)
    guesses = judge_texts(texts, counts, config, evidence, declared)
    judged: list[Counter] = [Counter() for _ in articles]
    weighted: list[Counter] = [Counter() for _ in articles]
    parts: list[dict] = [{} for _ in articles]
    for text, (index, letters), (language, probability) in zip(texts, owners, guesses):
        if language == "und" or probability < config.paragraph_min_probability:
            rest[index] += letters  # takes the article's language below
            continue
        judged[index][language] += letters
        weighted[index][language] += letters * probability
        parts[index].setdefault(language, []).append(text)
    headline = judge_headlines(articles, judged, declared_by_article, config, evidence)
    for index, article in enumerate(articles):
        article.languages, article.language, article.language_probability = {}, "und", 0.0
        if not judged[index]:
            continue
        language = choose_language(judged[index], headline[index], declared_by_article[index], config)
        if config.verify:
            others = {text for lang, texts in parts[index].items() if lang != language for text in texts}
            verified = verify_language("\n\n".join(p for p in article.body.split("\n\n") if p not in others),
                                       language, evidence)
            if verified == "und":
                continue  # a language the detector has no profile for: "und", never confidently wrong
            if verified != language:  # another language of the script: its letters and words tell
                judged[index][verified] += judged[index].pop(language)
                weighted[index][verified] += weighted[index].pop(language)
                language = verified
        article.language = language
        article.language_probability = round(weighted[index][language] / judged[index][language], 6)
        shares = judged[index] + Counter({language: rest[index]})
        total = sum(shares.values())
        article.languages = {lang: round(n / total, 6) for lang, n in shares.most_common()}
    return StageResult(articles)


def judge_headlines(articles: list[Article], judged: list[Counter], declared: list[str | None],
                    config: LanguageConfig, evidence: Evidence) -> list[str | None]:
    """Return each article's headline language where the bonuses can decide (the body's two largest languages
    within ``headline_weight`` + ``declared_weight`` of each other; None elsewhere), in one detector call."""
    asked = []
    for index, shares in enumerate(judged):
        if len(shares) > 1 and articles[index].title:
            (_, first), (_, second) = shares.most_common(2)
            if (first - second) / sum(shares.values()) <= config.headline_weight + config.declared_weight:
                asked.append(index)
    found: list[str | None] = [None] * len(articles)
    titles = [articles[index].title for index in asked]
    guesses = judge_texts(titles, [count_scripts(t, evidence) for t in titles], config, evidence,
                          [declared[index] for index in asked])
    for index, (language, probability) in zip(asked, guesses):
        found[index] = language if probability >= config.paragraph_min_probability else None
    return found


def choose_language(judged: Counter, headline: str | None, declared: str | None, config: LanguageConfig) -> str:
    """Return the article's language: the largest share of its judged letters, the headline's language and the
    page's declared one each adding a bonus (a near tie goes their way; a clear majority stays the text's)."""
    total = sum(judged.values())

    def score(language: str) -> float:
        bonus = config.headline_weight * (language == headline)
        if declared:
            bonus += config.declared_weight * (language == declared or language.startswith(declared + "-"))
        return judged[language] / total + bonus

    return max(judged, key=lambda language: (score(language), judged[language]))
