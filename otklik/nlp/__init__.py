"""Natural-language enrichment: normalisation, language, names, near-duplicates, priority.

Everything here is pure: it takes text, data and settings and returns results; no store, no web.
"""
