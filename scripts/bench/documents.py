"""The benchmark texts, wrapped as a scraper saves articles (menus, prompts, share buttons, tails)."""

from __future__ import annotations

import json
import random
import re
import textwrap
from collections.abc import Sequence

from scripts.bench.common import ROOT

DEV_SET = ROOT.parent / "shared" / "eval" / "ner" / "dev.jsonl"
WORD = re.compile(r"\w+")

MENU = ["Skip to main content", "Home", "World", "Business", "Sport", "Culture", "Opinion"]
PROMPTS = [
    "Get our morning briefing straight to your inbox Sign up to our newsletter",
    "Please enter a valid email address SIGN UP By signing up you agree to our privacy policy",
]
SHARE = ["Share on Facebook", "Share on Twitter", "Copy link"]
TAIL = [
    "Advertisement",
    "Related stories",
    "Markets close higher as investors weigh rate outlook",
    "Five things to know before the weekend",
    "Follow us on Instagram",
    "© 2024 Example Daily News. All rights reserved.",
    "Cookie settings",
]

FILLER = textwrap.dedent(
    """\
    The European Commission said on Tuesday that it would open an inquiry into the merger of two
    Dutch shipping companies, a deal worth 2.3 billion euros announced in March in Rotterdam.
    Commissioner Margrethe Vestager told reporters in Brussels that the review would take several
    months. Shares of Maersk fell 2 percent in Copenhagen after the announcement.
    In Washington, Senator Elizabeth Warren said the Federal Reserve should pause its rate increases,
    while Treasury Secretary Janet Yellen told a committee of the House of Representatives that
    inflation was easing. Microsoft and Alphabet reported higher profits for the third quarter.
    The Japanese government approved a budget of 13 trillion yen on Friday, Prime Minister Fumio
    Kishida said in Tokyo, as the Bank of Japan kept its policy unchanged.
    """
)


def source_texts() -> tuple[list[str], str]:
    if DEV_SET.exists():
        texts = [json.loads(line)["text"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [t for t in texts if len(WORD.findall(t)) >= 50], f"dev.jsonl({len(texts)})"
    texts = []
    for path in sorted((ROOT / "events" / "articles").glob("*")):
        if path.suffix == ".json":
            texts.append(json.loads(path.read_text(encoding="utf-8")).get("text", ""))
        elif path.suffix == ".txt":
            texts.append(path.read_text(encoding="utf-8"))
    paragraphs = [p.replace("\n", " ") for p in FILLER.split("\n\n")] + [t for t in texts if t]
    rng = random.Random(7)
    generated = []
    for i in range(200):
        picked = rng.sample(paragraphs, k=min(3, len(paragraphs)))
        generated.append(f"Story {i}. " + "\n\n".join(picked))
    return generated, "generated(events/articles+filler)"


def scraped(text: str, index: int, kind: str) -> tuple[str, bytes]:
    """One raw document (key, bytes) as a scraper saves it, around an article text."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    title = f"Report {index}: " + " ".join(WORD.findall(paragraphs[0])[:8])
    if kind == "json":
        body = {"title": title, "url": f"https://example.org/news/{index}", "published": "2024-05-02", "text": text}
        return f"bench/{index}.json", json.dumps(body).encode()
    if kind == "html":
        paras = "\n".join(f"<p>{p}</p>" for p in paragraphs)
        nav = "".join(f"<li><a href='/{m.lower()}'>{m}</a></li>" for m in MENU)
        related = "".join(f"<li><a href='/r/{i}'>{t}</a></li>" for i, t in enumerate(TAIL[2:4]))
        page = (
            f"<!doctype html><html><head><title>{title}</title>"
            f"<meta property='article:published_time' content='2024-05-02T08:00:00Z'></head><body>"
            f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>"
            f"<p class='byline'>By Staff Reporter</p>{paras}</article>"
            f"<aside><h2>Related stories</h2><ul>{related}</ul></aside></main>"
            f"<footer><p>{PROMPTS[0]}</p><p>{TAIL[5]}</p></footer></body></html>"
        )
        return f"bench/{index}.html", page.encode()
    lines = [*MENU[: 3 + index % 4], "date 2024-05-02 " + PROMPTS[index % 2], title, *SHARE[: 1 + index % 3]]
    lines += paragraphs + TAIL
    return f"bench/{index}.txt", "\n".join(lines).encode()


def raw_documents(texts: Sequence[str]) -> list[tuple[str, bytes]]:
    kinds = ["txt", "txt", "json", "txt", "html"]  # 3 of 5 text, 1 JSON, 1 HTML
    return [scraped(t, i, kinds[i % len(kinds)]) for i, t in enumerate(texts)]


def document_inputs(raw: Sequence[tuple[str, bytes]]):
    from newsproc.media import DocumentInput, document_id_for
    from newsproc.models import Source

    return [
        DocumentInput(document_id_for("bench", key), data, Source(bucket="bench", key=key, size=len(data)))
        for key, data in raw
    ]


def article_of_size(n_bytes: int, texts: Sequence[str]) -> bytes:
    """A raw .txt article of about n_bytes: boilerplate plus article paragraphs repeated with variation."""
    out, size, i = [], 0, 0
    head = "\n".join([*MENU, PROMPTS[0], "A long report"]) + "\n"
    out.append(head)
    size += len(head.encode())
    while size < n_bytes:
        para = texts[i % len(texts)].replace("\n\n", "\n")
        chunk = f"Part {i}. {para}\n"
        out.append(chunk)
        size += len(chunk.encode())
        i += 1
    data = "".join(out).encode()
    return data[:n_bytes].rsplit(b" ", 1)[0] + b"\n"


# Short French news texts written for bench[configuration:*] (the French model's language; with the default
# English-only NER_MODELS the language gate gives them no entities).
FRENCH_TEXTS = [
    "Le conseil municipal de Lyon a approuvé mardi la construction d'un nouveau tramway entre Part-Dieu et "
    "Villeurbanne. Le maire, Grégory Doucet, a déclaré que les travaux commenceraient au printemps et "
    "coûteraient environ 240 millions d'euros, financés en partie par la région Auvergne-Rhône-Alpes.\n\n"
    "Les commerçants du quartier craignent des mois de perturbations, selon l'association des commerçants "
    "lyonnais, qui demande des compensations à la métropole.",
    "La Banque de France a relevé jeudi sa prévision de croissance pour cette année, portée par la "
    "consommation des ménages. Son gouverneur, François Villeroy de Galhau, a cependant mis en garde contre "
    "le niveau de la dette publique lors d'une audition à l'Assemblée nationale.\n\n"
    "Le ministre de l'Économie a salué ces chiffres et promis de présenter un budget rectificatif avant l'été.",
    "Des milliers de personnes ont manifesté samedi à Marseille contre la fermeture d'une maternité dans les "
    "quartiers nord. L'Agence régionale de santé affirme que le service manquait de médecins depuis deux ans.\n\n"
    "Le président de la région Provence-Alpes-Côte d'Azur, Renaud Muselier, a demandé une réunion d'urgence "
    "avec le ministère de la Santé à Paris.",
    "Le club de football de Lille s'est qualifié mercredi pour les quarts de finale de la Ligue des champions "
    "après sa victoire contre le Real Madrid. Jonathan David a marqué les deux buts de la rencontre.\n\n"
    "L'entraîneur Bruno Genesio a salué la discipline de ses joueurs et a annoncé que le capitaine, blessé à la "
    "cheville, manquerait le prochain match du championnat à Nantes.",
    "Airbus a annoncé lundi à Toulouse une commande de 150 avions par la compagnie indienne IndiGo, l'une des "
    "plus importantes de son histoire. Le patron du groupe, Guillaume Faury, a indiqué que les livraisons "
    "s'étaleraient jusqu'en 2035.\n\n"
    "Le syndicat Force ouvrière estime que l'usine de Blagnac devra embaucher plusieurs centaines de "
    "techniciens pour tenir les cadences.",
    "Le Premier ministre du Québec a rencontré vendredi à Montréal des représentants des communautés "
    "autochtones pour discuter d'un projet hydroélectrique dans le nord de la province. Hydro-Québec "
    "prévoit d'investir plusieurs milliards de dollars dans ce barrage.\n\n"
    "Les chefs cris ont demandé des garanties sur la protection des territoires de chasse avant de donner "
    "leur accord.",
    "À Bruxelles, la Commission européenne a ouvert une enquête sur les subventions accordées à un fabricant "
    "chinois de panneaux solaires. La commissaire Margrethe Vestager a expliqué que ces aides faussaient la "
    "concurrence sur le marché unique.\n\n"
    "Pékin a dénoncé une mesure protectionniste et menacé de riposter contre les exportations de cognac.",
    "Le festival d'Avignon s'est ouvert dimanche avec une création du metteur en scène Tiago Rodrigues dans la "
    "cour d'honneur du Palais des papes. Plus de cent mille billets ont déjà été vendus, selon les "
    "organisateurs.\n\n"
    "La ministre de la Culture, Rachida Dati, assistait à la première et a promis de maintenir les "
    "subventions aux compagnies indépendantes.",
    "Une tempête a privé d'électricité près de deux cent mille foyers en Bretagne dans la nuit de mardi à "
    "mercredi. Enedis a mobilisé trois mille techniciens pour rétablir le courant, notamment dans le "
    "Finistère et les Côtes-d'Armor.\n\n"
    "Météo-France avait placé quatre départements en vigilance orange pour des vents violents dépassant "
    "150 kilomètres par heure sur le littoral.",
    "Le gouvernement sénégalais a signé à Dakar un accord avec la Banque mondiale pour financer la "
    "modernisation du port. Le président Bassirou Diomaye Faye a affirmé que le projet créerait des milliers "
    "d'emplois dans la région.\n\n"
    "L'opposition réclame la publication du contrat et un débat à l'Assemblée nationale avant le début des "
    "travaux.",
]
