"""Short generated articles (about 60 words, with people, organisations, places and dates)."""

from __future__ import annotations

import random
from typing import Any

PEOPLE = ["Amina Diallo", "Carlos Moedas", "Ingrid Solberg", "Kenji Watanabe", "Priya Raman", "Tomás Herrera",
          "Olena Kovalenko", "David Mensah", "Lucia Bianchi", "Rahul Gupta", "Sofia Lindqvist"]  # fmt: skip
ORGS = ["European Investment Bank", "World Health Organization", "Reuters", "Siemens", "the United Nations",
        "Toyota", "Oxfam", "the Bank of England", "Airbus", "Greenpeace"]  # fmt: skip
PLACES = ["Lisbon", "Nairobi", "Oslo", "Osaka", "Chennai", "Bogotá", "Kyiv", "Accra", "Milan", "Gothenburg"]
THINGS = ["harbour bridge", "solar farm", "metro line", "water plant", "hospital wing", "rail link"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
WORDS_PER_ARTICLE = 60


def short_article(rng: random.Random, index: int) -> str:
    """A few sentences with people, organisations, places and dates (about 60 words)."""
    person, other = rng.sample(PEOPLE, 2)
    org, place, thing, day = rng.choice(ORGS), rng.choice(PLACES), rng.choice(THINGS), rng.choice(DAYS)
    amount = rng.randint(2, 900)
    return (
        f"{place} approves new {thing} after years of delay\n\n"
        f"{person} said on {day} that {org} would lend {amount} million euros for the {thing} in {place}. "
        f"The project, number {index}, was opposed by {other}, who called the cost too high. "
        f"{person.split()[-1]} told reporters that construction would start next spring.\n"
    )


def upload_articles(stack: Any, count: int, *, seed: int, prefix: str = "articles/") -> list[str]:
    """Put `count` articles in the raw bucket (each upload notifies the queue); their keys."""
    rng = random.Random(seed)
    keys = []
    for index in range(count):
        key = f"{prefix}{index:05d}.txt"
        stack.s3.put_object(
            Bucket=stack.resources.raw_bucket,
            Key=key,
            Body=short_article(rng, index).encode(),
            ContentType="text/plain; charset=utf-8",
        )
        keys.append(key)
    return keys
