"""Authors: people only, in byline order; organisations apart; everything else that sits in author fields out."""
import pytest

from tasks.authors import classify_name, drop_role, load_author_rules, split_names

RULES = load_author_rules()


@pytest.mark.parametrize("value,names", [
    ("By Anna Schmidt und Jens Müller", ["Anna Schmidt", "Jens Müller"]),
    ("Kaufman, Jeff T.", ["Kaufman, Jeff T."]),                       # "Last, First" is one person
    ("Doris Munoz-Mantilla, MD, FOMA", ["Doris Munoz-Mantilla, MD, FOMA"]),  # credentials stay with her
    ("Written by: Élodie Marchand & Paul Girard", ["Élodie Marchand", "Paul Girard"]),
    ("Автор: Оксана Ткачук", ["Оксана Ткачук"]),
    # a wire's byline in capitals: no credentials to tell by their case; "LAST, FIRST" still one person
    ("By LISA MASCARO, MARY CLARE JALONICK and ERIC TUCKER", ["LISA MASCARO", "MARY CLARE JALONICK", "ERIC TUCKER"]),
    ("ROE, JANE", ["ROE, JANE"]),
])
def test_bylines_split_into_people(value, names):
    assert split_names(value, RULES) == names


@pytest.mark.parametrize("name,verdict", [
    ("Jana Feldmann", "person"),
    ("山田 花子", "person"),
    ("Deutsche Welle (www.dw.com)", "organisation"),
    ("STERN.de", "organisation"),
    ("Podium Staff", "organisation"),
    ("Redaktion", "organisation"),
    ("redaktion@weser-kurier.example", None),   # an e-mail
    ("https://civicwire.example/author/priya-nair/", None),
    ("priya-nair", None),                        # a URL slug
    ("4711", None),                              # a numeric id
    ("192.168.10.4", None),
    ("(Image: Getty Images)", None),             # a photo credit
    ("Megosztom", None),                         # a share button (Hungarian)
    ("Share on Facebook", None),
    ("Senior Editor", None),                     # a job title on its own line
    ("Sr. Director of Operations", None),
    ("AI Writer", None),
    ("page.head.extra.author", None),            # an unrendered template value
    ("{{ article.author }}", None),
    ("undefined", None),                         # what a script wrote when the author field was empty
    ("null", None),
    ("Recipe by", None),                         # a label that ends where the name begins
    ("Government Websites by", None),
    ("Member Login", None),                     # account links beside a byline
    ("Account Settings", None),
    ("Hamel, PJ", "person"),
    ("sara.r.peter", "person"),                  # a user name is a name
])
def test_names_are_people_organisations_or_nothing(name, verdict):
    assert classify_name(name, ["Weser-Kurier Nord"], RULES) == verdict


def test_the_sites_own_name_is_an_organisation_unless_a_person_named_the_site():
    assert classify_name("Weser-Kurier Nord", ["Weser-Kurier Nord"], RULES) == "organisation"
    assert classify_name("Rick Steves", ["Rick Steves"], RULES) == "person"


def test_job_titles_glued_to_names_are_cut():
    assert drop_role("Keith Barry Senior Autos Reporter", RULES) == "Keith Barry"
    assert drop_role("Harry RabinowitzTech Reporter", RULES) == "Harry Rabinowitz"
    assert drop_role("Lisa D. Ellis", RULES) == "Lisa D. Ellis"
    assert drop_role("Spencer McIntyreAuthor Posts", RULES) == "Spencer McIntyre"
    # a capital inside a name is no glue: Scottish, Irish and compound names stay whole
    for name in ("Rebecca MacFarlane", "Naoise McNally", "Mark SubbaRao", "Sandee LaMotte"):
        assert drop_role(name, RULES) == name


def test_a_byline_elements_texts_beside_the_name_are_not_authors():
    from tasks.parse import parse_html

    page = ('<html><head><title>Best VPNs of 2026</title></head><body><main><h1>Best VPNs of 2026</h1>'
            '<div class="author-byline"><a href="/team/brett">Brett Cruz</a><span>Privacy</span>'
            '<span>Digital Security</span><span>Personal finance</span><span>12 Shares</span></div>'
            '<article><p>We tested forty VPN services over six months on three continents, measuring speed, leaks '
            'and how each handled a dropped connection.</p><p>Only five kept every request inside the tunnel when '
            'the network changed under them.</p></article></main></body></html>')
    assert parse_html(page)[2]["authors"] == ["Brett Cruz"]
    # parts of the byline named as a job title or a bio (Shopify and Elementor themes) are not names either
    assert _authors_of('<div class="article__author"><div class="article__author__info"><span class='
                       '"article__author__name">Mateusz Haberny</span><span class="article__author__position">Founder '
                       'at Oakywood</span></div></div>') == ["Mateusz Haberny"]
    assert _authors_of('<div class="elementor-widget-author-box"><div class="elementor-author-box__text"><h4 class='
                       '"elementor-author-box__name">Liz Kenny</h4><div class="elementor-author-box__bio"><p>Former '
                       'McKinsey Consultant</p></div></div></div>') == ["Liz Kenny"]



def _authors_of(byline_html: str, head: str = "") -> list[str]:
    """Return the authors read from an article page whose byline area is ``byline_html``."""
    from tasks.parse import parse_html

    page = (f'<html><head><title>How the river towns rebuilt after the flood</title>{head}</head><body>'
            '<nav><div class="menu"><h4>By Region</h4><ul><li><a href="/north">North</a></li></ul></div></nav>'
            '<main><article><h1>How the river towns rebuilt after the flood</h1>'
            '<p>Two years after the water reached the second floors, the towns along the lower river have rebuilt '
            'their schools, their bridges and, slowly, their trust in the levees that failed them.</p>'
            '<p>Council records show the rebuilding cost more than twice the first estimate, most of it spent on '
            'raising homes rather than walls.</p>'
            f'{byline_html}</article></main></body></html>')
    return parse_html(page)[2]["authors"]


def test_a_label_in_a_byline_element_introduces_the_name_and_comments_sign_no_article():
    # Slashdot-style: the label, the account name, then the date and the department, each its own text
    byline = ('<div class="details" id="details-1"><span class="story-byline">Posted by <a href="/~BeauHD">BeauHD'
              '</a> on Friday December 19, 2025 @08:00PM from the <span class="dept-text">skewed-job-market</span>'
              ' dept.</span></div>')
    comments = ('<div id="comments"><ul class="commentlist"><li><div class="comment-meta"><span>by <a href='
                '"/~zuck">Zuck Enabler</a> ( 1234 )</span></div><p>Nobody is hiring juniors anymore.</p></li></ul>'
                '</div>')
    assert _authors_of(byline + comments) == ["BeauHD"]
    assert _authors_of(comments) == []  # the readers' comments name no author of the article
    # a site menu's links to people pages ("Our Faculty" -> /people/our-faculty, a columnists' submenu) name no one
    menu = ('<nav class="site-nav menu-slide"><ul class="subnav"><li><a href="/people/our-faculty">Our Faculty</a>'
            '</li><li><a href="/opinion/columnists/josh-brodesky">Josh Brodesky</a></li></ul></nav>')
    assert _authors_of(menu) == []
    assert _authors_of(menu + '<p class="byline">Written by <a href="/people/ana-ruiz">Ana Ruiz</a></p>') == [
        "Ana Ruiz"]
    # a dateline in a byline element: its weekday is no one's name
    assert _authors_of('<div class="article-byline"><span>Sat, 20 Dec, 2025 - 06:36</span></div>') == []


def test_labelled_bylines_in_headings_and_label_elements_are_read():
    # the label in a heading, a label element followed by the name, the name in a label's tail
    assert _authors_of('<h3 class="wp-block-heading">Written by Cassidy Horton</h3>') == ["Cassidy Horton"]
    assert _authors_of('<div class="meta-item"><h3>Author</h3><p>  Lisa D. Ellis</p></div>') == ["Lisa D. Ellis"]
    assert _authors_of('<div class="tags"><strong>Contributors:</strong> Janet Loughrey</div>') == ["Janet Loughrey"]
    # a menu heading starting with "By" names no one (the page above has "By Region" in its menu)
    assert _authors_of("") == []


def test_an_author_box_with_a_biography_gives_its_name():
    box = ('<div class="blog_author-wrapper"><div class="blog_author-image-wrapper"><img alt="Nadia Okafor" '
           'src="/n.webp"></div><div class="blog_author-text"><div class="text-weight-semibold">Nadia Okafor</div>'
           '<div>Senior Correspondent</div><p>Nadia Okafor covers infrastructure and climate adaptation for the '
           'regional desk. Before that she spent eight years reporting on water policy in three countries.</p>'
           '</div></div>')
    assert _authors_of(box) == ["Nadia Okafor"]


def test_the_seo_plugins_written_by_pair_is_the_last_source():
    head = ('<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Nawaz Dhandala">'
            '<meta name="twitter:label2" content="Est. reading time"><meta name="twitter:data2" content="6 minutes">')
    assert _authors_of("", head) == ["Nawaz Dhandala"]
    # a visible byline wins over the plug-in's display name
    assert _authors_of('<p class="byline">By <a href="/author/ines-duarte">Ines Duarte</a></p>', head) == [
        "Ines Duarte"]


def test_reviewers_and_contributors_are_not_authors():
    byline = ('<div class="d-flex"><div>By <a href="/author/genaveve-bradshaw">Genaveve Bradshaw</a> &sdot; '
              'Senior Review Analyst</div></div><div class="small">Contributions From: '
              '<a href="/author/ryan-white">Ryan White</a></div>'
              '<div class="post-byline">Written by <a href="/author/genaveve-bradshaw">Genaveve Bradshaw</a>. '
              'Medically reviewed by <a href="/author/molly-price">Molly Price, DVM</a></div>')
    assert _authors_of(byline) == ["Genaveve Bradshaw"]


def test_a_plain_dated_line_under_the_headline_gives_its_name():
    """Corporate magazines and blogs print the byline as one line under the headline: name, role, date."""
    from tasks.parse import parse_html

    def authors(line: str) -> list[str]:
        page = ('<html><head><title>How AI is changing hospital rosters | Northwind Health</title></head><body>'
                '<nav aria-label="Breadcrumbs"><a href="/">Home</a> <a href="/insights">Insights</a></nav>'
                f'<div class="ctitle-full"><header><h1>How AI is changing hospital rosters</h1>{line}</header></div>'
                '<div class="body"><p>Night shifts at three regional hospitals are now planned by software that '
                'weighs sick leave, training days and the wishes of the nurses themselves, and the first year of '
                'data shows fewer gaps on the wards.</p><p>The planners say the tool did not replace them; it '
                'took away the spreadsheet work that used to fill their Sunday evenings, they said.</p></div>'
                '<footer><p>Northwind Health | 1 Harbour Road | Updated March 3, 2025</p></footer></body></html>')
        return parse_html(page, "https://northwind.example/insights/ai-rosters")[2].get("authors", [])

    assert authors("<p>Aaron Ricadela | Senior Writer | July 2, 2025</p>") == ["Aaron Ricadela"]
    assert authors("<p>Maria Lindqvist · 12 March 2025</p>") == ["Maria Lindqvist"]
    # a kicker or a date line names no one; the dated line in the footer is not under the headline
    assert authors("<p>Healthcare | July 2, 2025</p>") == []
    assert authors("<p>July 2, 2025 | 5 min read</p>") == []
    assert authors("") == []
