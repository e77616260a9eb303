"""The running processes: the task functions, the embedded scheduler, the Celery worker and
beat, and what a process holds (settings, store, enrichment, connectors)."""
