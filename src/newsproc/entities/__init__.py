"""Entity extraction with spaCy and per-document canonicalization.

Public interface:
    load_nlp() -> Language                       once per container
    extract_mentions(nlp, texts) -> list[list[RawMention]]   offsets into each text
    canonicalize(text, raw_mentions) -> (list[Mention], list[Entity])
    entity_key(name) -> str                      normalized key of the entity index
"""

from newsproc.entities.canonical import canonicalize, entity_key
from newsproc.entities.extraction import RawMention, extract_mentions, load_nlp

__all__ = ["RawMention", "canonicalize", "entity_key", "extract_mentions", "load_nlp"]
