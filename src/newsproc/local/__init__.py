"""Local development tooling: read template.yaml and create its resources in moto (no AWS, no Docker)."""
