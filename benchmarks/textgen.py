"""Synthetic news text for the benchmarks: invented events, people and places, in several languages.

Sentences come from templates with many slots, so two stories about the same event share names and
places but rarely whole sentences, as real outlets' independent reports do.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

LEXICON = {
    "en": {
        "cities": ["Westmere", "Harlow Bay", "Northgate", "Calder", "Ashford Vale", "Redmoor", "Port Elrin",
                   "Stonebridge", "Kelby", "Marrow Hill", "Eastwick", "Bramford", "Lowen", "Tarrin", "Oakhurst"],
        "people": ["Maria Olsen", "David Kerr", "Anita Rao", "Tomas Brandt", "Li Wen", "Grace Okafor", "Pavel Novak",
                   "Helen Marsh", "Omar Haddad", "Ruth Keller", "Sami Laine", "Irene Costa", "Victor Hale",
                   "Nadia Petrenko", "Colin Ward"],
        "roles": ["the mayor", "the finance minister", "a union leader", "the chief executive", "a spokesperson",
                  "the regional governor", "an economist", "the police chief", "a hospital director",
                  "the transport commissioner"],
        "orgs": ["the port authority", "the city council", "the regional health board", "the national rail company",
                 "the teachers' union", "the water utility", "the chamber of commerce", "the energy regulator",
                 "the coast guard", "the university hospital"],
        "things": ["the new bridge", "the budget plan", "the hospital wing", "the ferry contract", "the wage deal",
                   "the flood barrier", "the tram extension", "the school reform", "the wind farm", "the tax cut"],
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        "adjectives": ["unexpected", "long-awaited", "controversial", "costly", "modest", "sweeping", "temporary",
                       "delayed", "ambitious", "limited"],
        "sentences": [
            "{person}, {role}, said on {day} that {thing} would cost about {n} million, {adj} by any measure.",
            "Officials in {city} confirmed that {org} had approved {thing} after {m} hours of debate.",
            "The decision follows {m} months of talks between {org} and residents of {city}.",
            "According to {org}, at least {n} families will be affected by {thing} in the first year.",
            "Critics argue that {thing} is {adj} and will not solve the problems of {city}.",
            "Work on {thing} is expected to begin in spring and to last roughly {m} months.",
            "In {city}, shop owners said they had not been consulted about {thing}.",
            "{person} told reporters that {org} would publish a full report within {m} weeks.",
            "The opposition called {thing} {adj} and demanded a vote in {city} before the summer.",
            "Figures released by {org} show a rise of {m} percent over the previous year.",
            "Residents gathered outside the offices of {org} on {day} evening to protest against {thing}.",
            "{person} said the plan had been changed {m} times since it was first presented.",
            "A similar project in {city2} was abandoned {m} years ago after costs doubled.",
            "Analysts expect {thing} to add around {n} jobs in {city} over the next decade.",
            "The first phase will cover {m} districts, including the old harbour area of {city}.",
            "{org} has set aside {n} million for compensation, a figure {person2} described as {adj}.",
            "Turnout at the public hearing in {city} was the highest in {m} years, organisers said.",
            "Under the agreement, {org} will review {thing} every {m} months.",
            "{person2}, {role2}, warned that delays could push the total cost above {n} million.",
            "Police said {m} people were briefly detained during the demonstration in {city} on {day}.",
            "The plan still needs the approval of {org2}, which meets again in {m} weeks.",
            "Several households in {city2} have already received letters about {thing}.",
            "The {adj} timetable leaves little room for changes, {person2} said.",
            "Supporters say {thing} will make {city} less dependent on its neighbours.",
            "Local newspapers in {city} have covered the dispute almost daily for {m} weeks.",
            "The budget for {thing} was cut by {m} percent in last year's review.",
            "{org2} said it had received more than {n} written objections.",
            "Engineers from {city2} have been brought in to assess the site.",
            "A spokesperson for {org} declined to comment on the figures on {day}.",
            "The project was first proposed by {person2} when {role2} still held office.",
        ],
        "quotes": ["“We cannot wait another {m} years,” said {person}, {role}.",
                   "“This is {adj}, and the people of {city} deserve better,” {person} said.",
                   "“Nobody asked us what we need,” {person2} told the meeting in {city}.",
                   "“The numbers speak for themselves,” said {person}, pointing to a rise of {m} percent."],
        "headlines": ["{city} approves {thing} after long dispute", "{org_title} backs {thing} despite protests",
                      "Protests in {city} as {thing} moves ahead", "{person} defends {thing} in {city}"],
    },
    "de": {
        "cities": ["Westheim", "Bergfeld", "Rheinau", "Altenburg am See", "Lindhorst", "Kleinmark", "Sonnhausen"],
        "people": ["Anna Berger", "Jonas Weber", "Klara Hoffmann", "Felix Brandt", "Mira Schulz", "Paul Neumann"],
        "roles": ["die Bürgermeisterin", "der Finanzminister", "ein Gewerkschaftssprecher", "die Landrätin"],
        "orgs": ["der Stadtrat", "die Stadtwerke", "der Landkreis", "die Handelskammer", "die Bahngesellschaft"],
        "things": ["die neue Brücke", "der Haushaltsplan", "die Schulreform", "der Windpark", "die Straßenbahnlinie"],
        "days": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"],
        "adjectives": ["umstritten", "teuer", "überfällig", "ehrgeizig", "bescheiden"],
        "sentences": [
            "{person}, {role}, sagte am {day}, {thing} werde rund {n} Millionen Euro kosten.",
            "In {city} bestätigte {org}, dass {thing} nach {m} Stunden Debatte beschlossen wurde.",
            "Kritiker halten {thing} für {adj} und fordern eine Abstimmung in {city}.",
            "Die Arbeiten an {thing} sollen im Frühjahr beginnen und etwa {m} Monate dauern.",
            "Nach Angaben von {org} sind in {city} mindestens {n} Haushalte betroffen.",
            "Anwohner protestierten am {day}abend vor dem Rathaus von {city} gegen {thing}.",
            "{person2} erklärte, der Plan sei seit der ersten Vorstellung {m} Mal geändert worden.",
            "Ein ähnliches Vorhaben in {city2} war vor {m} Jahren an den Kosten gescheitert.",
            "Die Opposition nannte {thing} {adj} und verlangte neue Gutachten.",
            "Laut {org} stieg die Zahl der Einwände auf mehr als {n}.",
            "Ingenieure aus {city2} sollen das Gelände in den nächsten {m} Wochen prüfen.",
            "Die erste Bauphase umfasst {m} Stadtteile, darunter den alten Hafen von {city}.",
        ],
        "quotes": ["„Wir können nicht noch {m} Jahre warten“, sagte {person}.",
                   "„Das ist {adj}, und die Menschen in {city} haben Besseres verdient“, sagte {person2}."],
        "headlines": ["{city} beschließt {thing}", "Streit um {thing} in {city}"],
    },
    "fr": {
        "cities": ["Valmont", "Saint-Aubin-sur-Mer", "Montclar", "Beaulieu", "Roncières", "Port-Vallon"],
        "people": ["Claire Dubois", "Julien Moreau", "Sophie Lambert", "Marc Girard", "Inès Roux", "Luc Fabre"],
        "roles": ["la maire", "le ministre des finances", "un responsable syndical", "la préfète"],
        "orgs": ["le conseil municipal", "la régie des eaux", "la chambre de commerce", "la compagnie ferroviaire"],
        "things": ["le nouveau pont", "le plan budgétaire", "la réforme scolaire", "le parc éolien", "la ligne de tramway"],
        "days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
        "adjectives": ["contesté", "coûteux", "attendu", "ambitieux", "modeste"],
        "sentences": [
            "{person}, {role}, a déclaré {day} que {thing} coûterait environ {n} millions d'euros.",
            "À {city}, {org} a confirmé l'adoption de {thing} après {m} heures de débat.",
            "Les opposants jugent {thing} {adj} et réclament un vote à {city}.",
            "Les travaux de {thing} doivent commencer au printemps et durer environ {m} mois.",
            "Selon {org}, au moins {n} foyers de {city} seront concernés.",
            "Des habitants se sont rassemblés {day} soir devant la mairie de {city}.",
            "{person2} a expliqué que le projet avait été modifié {m} fois depuis sa présentation.",
            "Un projet similaire à {city2} avait été abandonné il y a {m} ans.",
            "L'opposition a qualifié {thing} de {adj} et demandé de nouvelles études.",
            "D'après {org}, le nombre d'objections dépasse désormais {n}.",
            "Des ingénieurs de {city2} examineront le site dans les {m} prochaines semaines.",
            "La première phase concernera {m} quartiers, dont l'ancien port de {city}.",
        ],
        "quotes": ["« Nous ne pouvons pas attendre encore {m} ans », a déclaré {person}.",
                   "« C'est {adj}, et les habitants de {city} méritent mieux », a dit {person2}."],
        "headlines": ["{city} adopte {thing}", "Polémique autour de {thing} à {city}"],
    },
    "ru": {
        "cities": ["Северогорск", "Заречье", "Новоозёрск", "Каменск-на-Волге", "Светлогорье", "Березники-Южные"],
        "people": ["Анна Соколова", "Иван Морозов", "Елена Волкова", "Павел Кузнецов", "Ольга Лебедева"],
        "roles": ["мэр города", "министр финансов", "представитель профсоюза", "губернатор"],
        "orgs": ["городская дума", "водоканал", "торговая палата", "железнодорожная компания"],
        "things": ["новый мост", "бюджетный план", "школьная реформа", "ветряная электростанция", "трамвайная линия"],
        "days": ["понедельник", "вторник", "среду", "четверг", "пятницу"],
        "adjectives": ["спорным", "дорогим", "долгожданным", "амбициозным", "скромным"],
        "sentences": [
            "{person}, {role}, заявила в {day}, что {thing} обойдётся примерно в {n} миллионов рублей.",
            "В городе {city} {org} одобрила проект после {m} часов обсуждения.",
            "Критики считают проект {adj} и требуют голосования жителей.",
            "Работы должны начаться весной и продлятся около {m} месяцев.",
            "По данным организации, затронуты не менее {n} семей в городе {city}.",
            "Жители собрались в {day} вечером у здания администрации города {city}.",
            "{person2} пояснил, что план меняли {m} раз с момента первой презентации.",
            "Похожий проект в городе {city2} был заброшен {m} лет назад.",
            "Оппозиция назвала решение {adj} и потребовала новой экспертизы.",
            "Число письменных возражений превысило {n}, сообщили в администрации.",
            "Инженеры из города {city2} обследуют площадку в ближайшие {m} недель.",
            "Первая очередь охватит {m} районов, включая старый порт города {city}.",
        ],
        "quotes": ["«Мы не можем ждать ещё {m} лет», — сказала {person}.",
                   "«Это решение {adj}, жители города {city} заслуживают лучшего», — заявил {person2}."],
        "headlines": ["В городе {city} одобрили проект", "Спор вокруг проекта в городе {city}"],
    },
}
LANGUAGES = tuple(LEXICON)


@dataclass
class Event:
    """What stories about one event share: place, people, organisation, subject."""

    language: str
    slots: dict = field(default_factory=dict)


@dataclass
class Story:
    title: str
    paragraphs: list[str]


def make_event(rng: random.Random, language: str = "en") -> Event:
    """Pick the place, people and subject of an invented event."""
    lex = LEXICON[language]
    cities = rng.sample(lex["cities"], 2)
    people = rng.sample(lex["people"], 2)
    roles = rng.sample(lex["roles"], 2)
    orgs = rng.sample(lex["orgs"], 2)
    return Event(language, {"city": cities[0], "city2": cities[1], "person": people[0], "person2": people[1],
                            "role": roles[0], "role2": roles[1], "org": orgs[0], "org2": orgs[1],
                            "org_title": orgs[0][:1].upper() + orgs[0][1:], "thing": rng.choice(lex["things"])})


def fill(rng: random.Random, template: str, event: Event) -> str:
    """Fill a template with the event's slots and fresh numbers, day and adjective."""
    lex = LEXICON[event.language]
    values = dict(event.slots, n=rng.randint(2, 950), m=rng.randint(2, 48), day=rng.choice(lex["days"]),
                  adj=rng.choice(lex["adjectives"]))
    text = template.format(**values)
    return text[:1].upper() + text[1:]


def make_story(rng: random.Random, event: Event, paragraphs: int | None = None) -> Story:
    """Write one story about an event: a headline and paragraphs of two or three sentences, with a quote."""
    lex = LEXICON[event.language]
    count = paragraphs or rng.randint(5, 9)
    if event.language == "en":
        body = [grammar_sentence(rng, event, quote=True) if index == count // 2 else
                " ".join(grammar_sentence(rng, event) for _ in range(rng.choice((2, 2, 3))))
                for index in range(count)]
        return Story(fill(rng, rng.choice(lex["headlines"]), event), body)
    templates = rng.sample(lex["sentences"], min(len(lex["sentences"]), count * 3))
    body, cursor = [], 0
    for index in range(count):
        if index == count // 2:
            body.append(fill(rng, rng.choice(lex["quotes"]), event))
            continue
        size = rng.choice((2, 2, 3))
        sentences = [fill(rng, templates[(cursor + k) % len(templates)], event) for k in range(size)]
        cursor += size
        body.append(" ".join(sentences))
    return Story(fill(rng, rng.choice(lex["headlines"]), event), body)

# English is generated from a small grammar over large vocabularies, so that independent stories share
# little more than function words (word 2-shingle Jaccard of a few percent, as between real articles).
GRAMMAR = {
    "nouns": """budget bridge contract school harbour wage tariff hospital ferry pipeline reservoir vaccine library
tunnel subsidy strike festival election court prison railway airport factory mine forest river stadium museum
pension clinic landfill refinery warehouse canal highway university orchestra newspaper bakery brewery dairy
vineyard fishery quarry shipyard theatre cinema market square cathedral monastery barracks lighthouse marina
observatory laboratory greenhouse orchard pasture dam levee aqueduct sewer substation depot terminal viaduct
crossing roundabout motorway cycleway footbridge playground kindergarten dormitory hostel hotel casino arena
gallery archive registry tribunal council ministry agency commission inquiry audit lawsuit verdict appeal
ordinance permit licence quota levy fee fine grant loan bond mortgage lease tender auction merger takeover
layoff shortage surplus deficit inflation harvest drought flood wildfire storm outbreak blackout curfew
referendum petition boycott protest vigil parade ceremony summit treaty ceasefire""".split(),
    "verbs": """delay approve reject expand fund block review cut raise replace repair close reopen privatise
nationalise relocate redesign shelve scrap postpone accelerate finance insure inspect audit sell lease rebuild
demolish renovate extend shorten restrict ban legalise tax subsidise regulate monitor investigate prosecute
challenge appeal overturn endorse criticise defend question welcome protest""".split(),
    "past": """delayed approved rejected expanded funded blocked reviewed cut raised replaced repaired closed
reopened relocated redesigned shelved scrapped postponed financed inspected sold leased rebuilt demolished
renovated extended restricted banned taxed regulated investigated challenged endorsed criticised defended
questioned welcomed""".split(),
    "adjectives": """new old temporary permanent costly cheap controversial popular unpopular ambitious modest
delayed urgent regional municipal national private public local rural coastal northern southern eastern
western historic modern disputed revised draft final preliminary emergency annual quarterly overdue unfinished
abandoned flooded crowded empty busy quiet fragile sturdy wooden concrete electric diesel solar underground
elevated floating seasonal experimental mandatory voluntary""".split(),
    "reporting": """said argued warned claimed insisted noted confirmed estimated suggested admitted denied
explained stressed acknowledged predicted complained""".split(),
    "subjects": ["{person}", "{person}, {role},", "{role_cap}", "Officials in {city}", "{org_cap}",
                 "Residents of {city}", "Critics of the plan", "Supporters of the project", "A report by {org}",
                 "Local business owners", "The opposition", "Engineers at {org}", "Analysts", "{person2}",
                 "{person2}, {role2},", "Union representatives", "Several councillors", "Lawyers for {org2}"],
    "adjuncts": ["by the end of the year", "before the winter", "within {m} weeks", "for the first time since {year}",
                 "after {m} months of talks", "despite strong objections", "at a cost of {n} million",
                 "in the old town of {city}", "near the border with {city2}", "on the outskirts of {city}",
                 "without a public vote", "under pressure from {org2}", "in a closed session", "earlier this month",
                 "last {day}", "next {day}", "during the summer", "in the coming decade", "for {m} years",
                 "across {m} districts", "along the coast road", "in at least {m} villages"],
    "modals": ["will", "would", "could", "might", "should", "must", "may", "is expected to", "plans to",
               "has refused to", "is unlikely to", "hopes to", "is trying to"],
    "frames": [
        "{Subj} {reporting} that {clause}.",
        "{Clause}, {subj} {reporting}.",
        "{Subj} {past} the {adj} {noun} {adjunct}.",
        "The {adj} {noun} {modal} {verb} the {noun2} {adjunct}, according to {org}.",
        "In {city}, the {adj} {noun} was {past} {adjunct}.",
        "{n} {noun}s were {past} {adjunct}, {subj} {reporting}.",
        "{Subj} {reporting} the {noun} had been {past} twice {adjunct}.",
        "Whether the {noun} {modal} {verb} the {adj} {noun2} remains unclear.",
    ],
    "clause": "the {adj} {noun} {modal} {verb} the {adj2} {noun2} {adjunct}",
}


def grammar_sentence(rng, event, quote: bool = False) -> str:
    """Write one English sentence from the grammar, with the event's names and places."""
    g = GRAMMAR
    values = dict(event.slots, n=rng.randint(2, 950), m=rng.randint(2, 48), year=rng.randint(1950, 2020),
                  day=rng.choice(LEXICON["en"]["days"]), role_cap=event.slots["role"][:1].upper() + event.slots["role"][1:],
                  org_cap=event.slots["org"][:1].upper() + event.slots["org"][1:])
    words = {"noun": rng.choice(g["nouns"]), "noun2": rng.choice(g["nouns"]), "verb": rng.choice(g["verbs"]),
             "past": rng.choice(g["past"]), "adj": rng.choice(g["adjectives"]), "adj2": rng.choice(g["adjectives"]),
             "reporting": rng.choice(g["reporting"]), "modal": rng.choice(g["modals"])}
    adjunct = rng.choice(g["adjuncts"]).format(**values)
    subject = rng.choice(g["subjects"]).format(**values)
    clause = g["clause"].format(**words, adjunct=adjunct)
    if quote:
        return f"“{clause[:1].upper()}{clause[1:]},” said {values['person']}."
    frame = rng.choice(g["frames"])
    text = frame.format(**words, **values, adjunct=adjunct, Subj=subject, subj=subject,
                        Clause=clause[:1].upper() + clause[1:], clause=clause)
    return text[:1].upper() + text[1:]
