"""The flow of a batch: ingest → enrich → store (pipeline), the importers that feed it, and the
wiring of enrichers."""
