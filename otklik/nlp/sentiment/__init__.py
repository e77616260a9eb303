"""Sentiment toward the brand (ru/en): a trained, offline, CPU model and its pipeline enricher."""

from otklik.nlp.sentiment.datasets import LABELS
from otklik.nlp.sentiment.enricher import sentiment_enricher
from otklik.nlp.sentiment.model import DEFAULT_PATH, ModelError, SentimentModel

__all__ = ["DEFAULT_PATH", "LABELS", "ModelError", "SentimentModel", "sentiment_enricher"]
