"""Entity timelines and trends (issue 17, part 3). CoreLayer only: no NlpLayer import here.

- periods.py   published dates -> days and ISO weeks; the windows a request may ask for (bounded)
- counting.py  DynamoDB Streams records of entity items -> per-day counter deltas, applied once per record
- reads.py     the two read use cases: an entity's timeline (from the EntityIndex) and the trends
               (from the day counters), with their bounds and continuation tokens
- recount.py   the counters recounted from the entity items (`newsproc recount-trends`): what the stream
               never delivered (documents stored before it, records it dropped after 24 hours)

The design, its bounds and its cost per million documents: docs/trends.md.
"""
