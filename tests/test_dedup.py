"""Stage 5: exact and near-duplicate detection on cleaned text."""
import numpy as np

from tasks.article import Article
from tasks.config import DedupConfig
from tasks.dedup import (Known, compute_content_hash, estimate_similarity, find_duplicates, hash64, read_facts,
                         sign_articles)

CONFIG = DedupConfig()
ORIGINAL = [
    "Grain barges have resumed regular runs on the lower Danube after war-risk insurance premiums for river "
    "traffic fell for the third month in a row, port operators in Izmail said on Tuesday.",
    "Twelve convoys left the port over the weekend, carrying a combined 46,000 tonnes of wheat and sunflower "
    "meal towards the Romanian port of Constanta, according to the regional port authority.",
    "\"Six months ago a single crossing cost us more in insurance than in fuel,\" said Olena Marchuk, who manages "
    "a fleet of pusher tugs. \"Now the numbers finally work again, and the crews are coming back.\"",
    "Underwriters in London cut the additional premium for Danube voyages to 0.4 percent of cargo value in "
    "October, down from 1.1 percent in the spring, after a quieter summer with no strikes on the river ports.",
    "Traders caution that the recovery remains fragile. Water levels on the river dropped sharply in August, "
    "forcing barges to sail half-loaded, and a dry autumn could repeat the problem.",
    "The port authority expects throughput to reach 2.3 million tonnes this quarter, still below the record set "
    "two years ago but the highest figure since the start of the full-scale invasion.",
]
SAME_EVENT = [  # another outlet's own article on the same event: shares the lead fact and a quote
    "Grain barges have resumed regular runs on the lower Danube, port operators in Izmail said on Tuesday.",
    "\"Six months ago a single crossing cost us more in insurance than in fuel,\" said Olena Marchuk.",
    "Romania's transport ministry, however, warned that dredging of the Sulina channel is behind schedule and "
    "that ships with a draught of more than seven metres may have to wait for weeks at the river mouth.",
    "The ministry blamed the delay on a dispute with the contractor over the price of fuel and steel, and said a "
    "new tender would be launched before the end of the year if no agreement is reached.",
    "Shipping agents in Constanta said queues at the anchorage had already grown to forty vessels.",
]


def article(url, paragraphs, title="Grain barges resume Danube runs"):
    a = Article("s", url, url, title, [])
    a.body = "\n\n".join(paragraphs)
    return a


def signed(*articles):
    return sign_articles(list(articles), CONFIG).items


def no_hashes(_):
    return {}


def no_bands(_):
    return []


def test_content_hash_ignores_case_quotes_dashes_and_white_space():
    text = "\n\n".join(ORIGINAL)
    variant = text.upper().replace("\"", "“").replace("-", "–").replace(" ", "  \n ")
    assert compute_content_hash(text) == compute_content_hash(variant)
    assert compute_content_hash(text) != compute_content_hash(text.replace("Twelve", "Eleven"))


def test_syndicated_copy_with_dateline_and_a_dropped_paragraph_is_a_near_duplicate():
    original, copy, other = signed(
        article("https://a/1", ORIGINAL),
        article("https://b/1", ["IZMAIL (Wire) – " + ORIGINAL[0]] + ORIGINAL[1:4] + ORIGINAL[5:]),
        article("https://c/1", SAME_EVENT))
    matches = find_duplicates([original, copy, other], CONFIG, no_hashes, no_bands)
    assert [(m.article_id, m.duplicate_of, m.method) for m in matches] == [
        (copy.article_id, original.article_id, "near")]
    assert 0.5 <= matches[0].similarity < 1.0


def test_exact_copy_in_the_same_batch_points_at_the_first_seen():
    first, second, third = signed(article("https://a/1", ORIGINAL), article("https://b/1", ORIGINAL),
                                  article("https://c/1", [p.upper() for p in ORIGINAL]))
    matches = find_duplicates([first, second, third], CONFIG, no_hashes, no_bands)
    assert {(m.article_id, m.duplicate_of, m.method) for m in matches} == {
        (second.article_id, first.article_id, "exact"), (third.article_id, first.article_id, "exact")}


def test_copies_of_warehouse_articles_point_at_the_group_original():
    stored, = signed(article("https://a/1", ORIGINAL))
    new, = signed(article("https://b/1", ORIGINAL[:5]))
    known = Known("copy-in-warehouse", stored.minhash, "original-in-warehouse")
    asked = []
    matches = find_duplicates([new], CONFIG, no_hashes, lambda keys: asked.append(keys) or [(k, known) for k in keys])
    assert [(m.duplicate_of, m.method) for m in matches] == [("original-in-warehouse", "near")]
    assert set(asked[0]) == set(new.band_keys)
    exact = find_duplicates([new], CONFIG, lambda hashes: {h: "root-by-hash" for h in hashes}, no_bands)
    assert [(m.duplicate_of, m.method) for m in exact] == [("root-by-hash", "exact")]


def test_an_article_re_ingested_is_not_a_copy_of_itself():
    stored, = signed(article("https://a/1", ORIGINAL))
    again, = signed(article("https://a/1", ORIGINAL[:5]))
    known = Known(stored.article_id, stored.minhash, stored.article_id)
    assert find_duplicates([again], CONFIG, lambda h: {x: stored.article_id for x in h},
                           lambda keys: [(k, known) for k in keys]) == []


def test_signatures_estimate_jaccard():
    a, b = signed(article("https://a/1", ORIGINAL), article("https://b/1", ORIGINAL))
    assert estimate_similarity(a.minhash, b.minhash) == 1.0
    assert len(a.band_keys) == CONFIG.bands and np.frombuffer(a.minhash, np.uint32).size == CONFIG.num_perm


def test_a_teaser_is_a_partial_copy_whichever_comes_first():
    from tasks.clean import clean_articles
    from tasks.config import CleanConfig

    teaser = Article("s", "https://b/1", "https://b/1", "Grain barges resume Danube runs",
                     [["IZMAIL (Wire) – " + ORIGINAL[0]], [ORIGINAL[1]], ["Read the full story at the Danube Courier."]])
    teaser, = clean_articles([teaser], CleanConfig()).items  # the link line goes, as in the pipeline
    full, teaser, other = signed(article("https://a/1", ORIGINAL), teaser, article("https://c/1", SAME_EVENT))
    assert estimate_similarity(full.minhash, teaser.minhash) < CONFIG.near_threshold  # Jaccard cannot see it
    matches = find_duplicates([full, teaser, other], CONFIG, no_hashes, no_bands)
    assert [(m.article_id, m.duplicate_of, m.method, m.partial) for m in matches] == [
        (teaser.article_id, full.article_id, "containment", teaser.article_id)]
    matches = find_duplicates([teaser, full, other], CONFIG, no_hashes, no_bands)  # the teaser ran first
    assert [(m.article_id, m.duplicate_of, m.method, m.partial) for m in matches] == [
        (full.article_id, teaser.article_id, "containment", teaser.article_id)]


def test_sharing_the_lead_and_a_quote_is_not_a_copy():
    lead_and_quote = article("https://d/1", [ORIGINAL[0], ORIGINAL[2]] + SAME_EVENT[2:])
    full, other = signed(article("https://a/1", ORIGINAL), lead_and_quote)
    assert find_duplicates([full, other], CONFIG, no_hashes, no_bands) == []


def test_a_dateline_does_not_change_the_content_hash():
    plain = "\n\n".join(ORIGINAL)
    assert compute_content_hash("KYIV (Reuters) - " + plain) == compute_content_hash(plain)
    assert compute_content_hash("PARIS, May 3 (AFP) — " + plain) == compute_content_hash(plain)


def test_a_long_series_of_copies_compares_each_with_its_group_not_with_every_copy():
    """Buckets keep one article per group and at most max_bucket groups: dedup cost follows the articles, not
    their square (a wire story copied a thousand times, a template's fixed sentences)."""
    from tasks.dedup import Buckets

    buckets = Buckets(cap=4)
    for i in range(100):
        buckets.add(7, Known(f"copy-{i}", b"", "original"))  # one group
    assert [k.article_id for k in buckets.get(7)] == ["copy-0"]
    for i in range(100):
        buckets.add(8, Known(f"story-{i}", b"", f"story-{i}"))  # a hundred groups share a key
    assert [k.article_id for k in buckets.get(8)] == ["story-0", "story-1", "story-2", "story-3"]  # the earliest

    body = ("The regional parliament approved the budget for next year on Thursday after a debate that lasted "
            "eleven hours, with the opposition voting against the plan to cut spending on rural bus lines. ") * 3
    series = [Article("wire", f"https://outlet{i}.example/a", f"https://outlet{i}.example/a", "Budget approved",
                      [[body]], body=body + (f" Reporting by desk {i}." if i % 2 else "")) for i in range(300)]
    signed = sign_articles(series, DedupConfig()).items
    matches = find_duplicates(signed, DedupConfig(), lambda hashes: {}, lambda keys: [])
    assert len(matches) == 299 and {m.duplicate_of for m in matches} == {series[0].article_id}


CLUBS = ["Harbour Rovers", "Millbrook Athletic", "Kestrel Town", "Ashford Wanderers", "Dunmore United",
         "Castlegate City", "Riverside Albion", "Penhallow Rangers"]
SCORERS = ["Tomas Reyes", "Callum Price", "Jonah Whitby", "Ilya Petrov", "Marcus Doyle", "Sean Kirwan"]


def match_report(number: int) -> list[str]:
    """A results service's machine-written report: one template, another fixture's teams, scores and crowd."""
    home, away = CLUBS[number % 8], CLUBS[(number * 3 + 1) % 8]
    goals, against, crowd, minute = number % 4 + 1, number % 3, 4100 + 137 * number, 11 + (7 * number) % 70
    return [f"{home} beat {away} {goals}-{against} at home on Saturday in front of a crowd of {crowd}, moving "
            f"up to {number % 12 + 1}th place in the table with {30 + number % 17} points from {20 + number % 5} games.",
            f"{SCORERS[number % 6]} opened the scoring after {minute} minutes and {SCORERS[(number + 2) % 6]} added "
            f"the second before half-time, while {away} replied through {SCORERS[(number + 4) % 6]} late on.",
            f"{away} stay on {20 + number % 9} points and travel to {CLUBS[(number + 5) % 8]} next weekend. "
            "This report was produced automatically from the league's official match data."]


def test_facts_are_numbers_and_names_inside_the_text_and_skeletons_mask_them_per_sentence():
    """After "; " the text reads on: "Northgate" is a name of the text, but the first word of its sentence; after
    ". " it is neither; the all-capital "EU" and a text's first word are no names."""
    def name(word):
        return hash64(word.encode()) & ~1

    def skeleton(words, sentence):
        return hash64(b"skeleton " + words.encode()), (words.count(" ") + 1, hash64(sentence.encode()))

    facts, skeletons, passages = read_facts("The EU shares rose 4.5 percent in Kelby; Northgate Bank said profits "
                                            "doubled. Harbour Rovers fell.", 4)
    assert facts == sorted([hash64(b"45") | 1, name("kelby"), name("northgate"), name("bank"), name("rovers")])
    assert skeletons == dict([  # "Harbour Rovers fell.": a name (Rovers), but too few words
        skeleton("nfname shares rose nfnumber percent in nfname", "the eu shares rose 4 5 percent in kelby"),
        skeleton("nfname said profits doubled", "northgate bank said profits doubled")])
    # passages: each sentence of 4+ words by its first 4 words, with its length ("4.5" is two words)
    assert passages == {hash64(b"head the eu shares rose"): 9, hash64(b"head northgate bank said profits"): 5}


def test_texts_of_one_template_with_other_facts_are_a_family_not_copies():
    reports = signed(*[article(f"https://results.example/{n}", match_report(n), f"Result {n}") for n in range(24)])
    matches = find_duplicates(reports, CONFIG, no_hashes, no_bands)
    assert {m.method for m in matches} == {"template"}  # no report copies another
    # all through their paragraph skeletons (facts masked), whatever their estimated Jaccard (0.40-0.65 here)
    assert len(matches) == 23 and {m.duplicate_of for m in matches} == {reports[0].article_id}  # named by the first


def test_a_copy_of_one_templated_report_is_its_copy_and_a_corrected_figure_keeps_it_one_story():
    first, second = match_report(3), match_report(11)  # estimated Jaccard 0.66: the same sentences
    syndicated = ["LONDON (Sports Wire) – " + second[0]] + second[1:] + ["Get the latest scores in our app."]
    corrected = [second[0].replace(f"crowd of {4100 + 137 * 11}", "crowd of 5,700")] + second[1:]
    a, b, copy, fix = signed(article("https://r.example/3", first, "R3"), article("https://r.example/4", second, "R4"),
                             article("https://mirror.example/4", syndicated, "R4"),
                             article("https://r.example/4?v=2", corrected, "R4"))
    relations = {m.article_id: (m.method, m.duplicate_of) for m in find_duplicates([a, b, copy, fix], CONFIG,
                                                                                   no_hashes, no_bands)}
    assert relations[b.article_id] == ("template", a.article_id)
    assert relations[copy.article_id] == ("near", b.article_id)
    assert relations[fix.article_id] == ("near", b.article_id)


def test_the_labelled_set_keeps_precision_on_hard_negatives_and_template_families():
    """The generated labelled set (benchmarks/dedup_set.py): copies of 7 kinds, 4 kinds of hard negative (headline,
    lead, quote, all three shared), 3 templated series with copies of their own; nothing is merged that should not."""
    from benchmarks.dedup import LAST_FAMILIES, evaluate, evaluate_families, run_newsflow
    from benchmarks.dedup_set import build_set

    records = build_set(originals=80, seed=3)
    copies, _ = run_newsflow(records)
    metrics, families = evaluate(records, copies), evaluate_families(records, LAST_FAMILIES, copies)
    assert (metrics["negatives_merged"], metrics["sibling_pairs_as_copies"]) == (0, 0)
    assert metrics["precision"] == 1.0 and metrics["recall"] >= 0.98
    assert families["precision"] == 1.0 and families["recall"] >= 0.8


# --- copies and families judged by text and facts together (issue 28) ---

COMPANIES = ["Northgate", "Harlow", "Calder", "Redmoor", "Kelby", "Tarrin", "Oakhurst", "Bramford", "Lowen",
             "Stonebridge", "Ashford", "Marrowfield"]  # one word each: three facts a report
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def closing_report(number: int) -> list[str]:
    """A wire's short machine-written closing report: three facts (company, price, weekday), the rest fixed."""
    return [f"Shares of {COMPANIES[number]} closed at {17.35 + 23.4 * number:.2f} euros on {DAYS[number % 5]}. "
            "The stock is part of the regional index and is covered by several analysts.",
            "This report was generated automatically from exchange data."]


def test_twelve_short_templated_reports_are_one_family_and_a_repost_of_one_is_its_copy():
    """Three facts a report are enough to tell them apart: none is a copy of another, all are one template family;
    the same report on another outlet, with that outlet's footer, is a copy of it."""
    reports = [article(f"https://wire.example/close/{n}", closing_report(n), f"{COMPANIES[n]} shares close")
               for n in range(12)]
    repost = article("https://markets-daily.example/kelby", closing_report(4) + [
        "Sign up for the Markets Daily newsletter to get the closing prices in your inbox every evening.",
        "Copyright 2025 Markets Daily Media. All rights reserved."], f"{COMPANIES[4]} shares close")
    signed_all = signed(*reports, repost)
    matches = find_duplicates(signed_all, CONFIG, no_hashes, no_bands)
    copies = [(m.article_id, m.duplicate_of) for m in matches if m.method != "template"]
    family = {m.article_id: m.duplicate_of for m in matches if m.method == "template"}
    assert copies == [(signed_all[12].article_id, signed_all[4].article_id)]
    assert set(family) == {a.article_id for a in signed_all[1:12]} and set(family.values()) == {signed_all[0].article_id}


def test_a_series_stating_three_or_five_facts_has_no_copies_and_one_family():
    """Reports of one template that state fewer facts (no change, no volume) are siblings like the others, and no
    report with few facts chains the series into one group of copies."""
    reports = []
    for n in range(60):
        extra = "" if n % 3 == 2 else f" The price moved {n % 9 - 4}.{n % 7}5 percent on a volume of {10_000 + 977 * n} shares."
        reports.append(article(f"https://wire.example/r/{n}", [
            f"Shares of {COMPANIES[n % 12]} closed at {5 + 7.31 * n:.2f} euros on day {n % 28 + 1} of the month.{extra} "
            "The stock is part of the regional index."], "Closing price"))
    matches = find_duplicates(signed(*reports), CONFIG, no_hashes, no_bands)
    assert {m.method for m in matches} == {"template"} and len(matches) == 59
    assert len({m.duplicate_of for m in matches}) == 1


def test_a_german_weather_series_is_a_family_though_german_capitalises_every_noun():
    towns, days = ["Lindau", "Passau", "Kleve", "Husum", "Goslar", "Cham"], ["Montag", "Dienstag", "Mittwoch"]
    lines = [article(f"https://wetter.example/{t}", [
        f"In {t} werden am {days[i % 3]} bis zu {18 + 3 * i} Grad erwartet. Der Wetterdienst rechnet mit einem "
        "trockenen Tag und schwachem Wind aus westlichen Richtungen.",
        "Diese Meldung wurde automatisch aus den Daten des Wetterdienstes erstellt."], f"Wetter in {t}")
        for i, t in enumerate(towns)]
    for line in lines:
        line.language = "de"
    matches = find_duplicates(signed(*lines), CONFIG, no_hashes, no_bands)
    assert [m.method for m in matches] == ["template"] * 5 and {m.duplicate_of for m in matches} == {lines[0].article_id}


def test_notices_that_change_a_lower_case_weekday_are_siblings_not_copies():
    """French writes its weekdays in lower case: "à partir de lundi" is a fact like "from Monday"."""
    notices = [article(f"https://ville.example/{n}", [
        f"À Millau, {12 + n} rues seront fermées à la circulation à partir de {day} pour des travaux de voirie. "
        "Les riverains sont invités à emprunter les itinéraires de déviation.",
        "Cet avis est publié automatiquement à partir des arrêtés municipaux."], "Travaux à Millau")
        for n, day in enumerate(["lundi", "mardi", "jeudi"])]
    same_count = article("https://ville.example/3", [notices[0].body.split("\n\n")[0].replace("13 rues", "12 rues")
                                                      .replace(" lundi ", " mardi "), notices[0].body.split("\n\n")[1]],
                         "Travaux à Millau")
    matches = find_duplicates(signed(*notices, same_count), CONFIG, no_hashes, no_bands)
    assert {m.method for m in matches} == {"template"}  # the same count on another day is another notice


LEAD = ORIGINAL[0]


def test_a_teaser_cut_mid_sentence_is_a_partial_copy_even_when_it_runs_before_its_story():
    """The teaser's last sentence is cut ("…"): its first words still place it. Run before its story, it is the
    original of the group the story joins; run before its story while an edited copy of the story came first, it
    joins the copy's group once the batch is read (its cut sentence is the story's, not the edited copy's)."""
    teaser = article("https://digest.example/1", [ORIGINAL[0], " ".join(ORIGINAL[1].split()[:14]) + "…",
                                                  "Continue reading"])
    edited = article("https://e/1", [ORIGINAL[0], ORIGINAL[1].replace("Twelve convoys", "Twelve grain convoys")]
                     + ORIGINAL[2:])
    full, cut, other, copy = signed(article("https://a/1", ORIGINAL), teaser, article("https://c/1", SAME_EVENT), edited)
    assert estimate_similarity(full.minhash, cut.minhash) < CONFIG.near_threshold
    relations = [(m.article_id, m.duplicate_of, m.method, m.partial)
                 for m in find_duplicates([full, cut, other], CONFIG, no_hashes, no_bands)]
    assert relations == [(cut.article_id, full.article_id, "containment", cut.article_id)]
    relations = [(m.article_id, m.duplicate_of, m.method, m.partial)
                 for m in find_duplicates([cut, other, full], CONFIG, no_hashes, no_bands)]
    assert relations == [(full.article_id, cut.article_id, "containment", cut.article_id)]
    relations = {m.article_id: (m.duplicate_of, m.method)
                 for m in find_duplicates([copy, cut, other, full], CONFIG, no_hashes, no_bands)}
    assert relations == {full.article_id: (copy.article_id, "near"), cut.article_id: (copy.article_id, "containment")}


def test_a_story_sharing_the_headline_lead_and_a_quote_is_no_copy_and_no_teaser_joins_it():
    """Another outlet's own story of the event: the headline (a variant), the lead sentence and a quote shared, the
    rest its own. Neither it nor the teaser of the original (lead and quote) belongs to the original's group."""
    rival = article("https://rival.example/1", [LEAD + " " + SAME_EVENT[2], ORIGINAL[2]] + SAME_EVENT[3:],
                    "LIVE: Grain barges resume Danube runs - updates")
    teaser = article("https://digest.example/1", [ORIGINAL[0], ORIGINAL[2][:90] + "…"])
    for order in (["rival", "teaser", "full"], ["full", "rival", "teaser"], ["teaser", "rival", "full"]):
        items = {"rival": rival, "teaser": teaser, "full": article("https://a/1", ORIGINAL)}
        batch = signed(*(items[name] for name in order))
        ids = {a.article_id: name for a, name in zip(batch, order)}
        pairs = {(ids[m.article_id], ids[m.duplicate_of]) for m in find_duplicates(batch, CONFIG, no_hashes, no_bands)}
        assert all("rival" not in pair for pair in pairs), (order, pairs)


CHINESE = ["台北市政府昨天宣布，捷運環狀線北段工程將在明年底動工，預計六年後完工通車。",
           "交通局表示，這項計畫總經費約八百億元新臺幣，沿線將設置十四座車站，每天可載運二十萬人次。",
           "不少居民擔心施工期間交通壅塞，市府承諾將提出替代道路與接駁公車的規劃。",
           "議會預計下個月審查相關預算，部分議員要求市府公開評估報告，說明路線為何避開人口最多的行政區。",
           "專家指出，環狀線完成後可以串聯四條既有路線，旅客轉乘時間平均可以縮短十五分鐘，對通勤族幫助很大。"]


def test_chinese_copies_and_teasers_are_found_by_their_characters():
    story = article("https://tw.example/1", CHINESE, "捷運環狀線北段明年動工")
    copy = article("https://mirror.example/1", CHINESE[:4] + ["更多新聞請下載本報APP。"], "捷運環狀線北段明年動工")
    teaser = article("https://digest.example/1", [CHINESE[0], CHINESE[1][:20] + "…"], "捷運環狀線北段明年動工")
    other = article("https://tw.example/2", ["台中市政府昨天宣布，捷運藍線工程將在後年動工，預計八年後完工通車。",
                                            "市府表示，藍線總經費約一千四百億元新臺幣，沿線將設置二十座車站。"], "台中捷運藍線後年動工")
    batch = signed(story, copy, teaser, other)
    assert estimate_similarity(story.minhash, teaser.minhash) < CONFIG.near_threshold  # a part: not near
    relations = {m.article_id: (m.duplicate_of, m.method) for m in find_duplicates(batch, CONFIG, no_hashes, no_bands)}
    assert relations == {copy.article_id: (story.article_id, "near"),
                         teaser.article_id: (story.article_id, "containment")}


def test_a_shorter_bulletin_with_another_figure_is_no_part_of_a_longer_one():
    """A machine-written bulletin whose fixed sentences are most of its words: one with another reading and one fixed
    sentence fewer holds nine tenths of its words in the other's passages, yet it is another bulletin."""
    fixed = ["Readings are taken automatically every hour by the gauge on the old harbour wall and published "
             "without review by the duty officer.",
             "Residents of the low-lying streets near the river are advised to follow the flood warnings issued by "
             "the regional authority at all times.",
             "Boat owners should check their moorings regularly when the water is rising quickly after heavy rain "
             "in the hills upstream.",
             "This bulletin was produced automatically from the measurements of the national hydrological service "
             "and is updated every morning.",
             "Questions about the readings can be sent to the hydrological service through the contact form on its "
             "website."]
    morning = article("https://river.example/1", ["The level at Lindau stood at 312 centimetres."] + fixed,
                      "River level")
    evening = article("https://river.example/2", ["The level at Lindau stood at 298 centimetres."] + fixed[:4],
                      "River level")
    a, b = signed(morning, evening)
    from tasks.dedup import containment
    assert containment(b.passage_keys, a.passage_keys) >= CONFIG.containment_threshold  # the words alone: a part
    matches = find_duplicates([a, b], CONFIG, no_hashes, no_bands)
    assert [m.method for m in matches] != ["containment"] and all(m.method == "template" for m in matches)


def test_fact_shares_of_short_texts_and_of_bottom_k_samples():
    """A text of fewer than all_facts_below facts keeps them all or shares nothing; two samples are compared below
    their common horizon, and a sample with nothing below it is no evidence (it used to raise IndexError)."""
    from tasks.dedup import MAX_FACTS, fact_share

    assert fact_share([2, 4, 6], [2, 4, 6, 8, 10], CONFIG) == 1.0  # (even hashes: names)
    assert fact_share([2, 4, 6], [2, 4, 8, 10], CONFIG) == 0.0  # 2 of 3 kept: another report
    long = list(range(0, 2 * MAX_FACTS, 2))  # a full sample of names, the highest 254
    assert fact_share(long, long[:100] + [10_000 + 2 * i for i in range(28)], CONFIG) == 1.0
    assert fact_share([1_000_000, 1_000_002], long, CONFIG) is None  # both above the sample's horizon
