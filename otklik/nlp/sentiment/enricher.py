"""The pipeline's sentiment step: the post's own sentiment, and toward each matched brand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from otklik.domain.enrichment import Enriched, Enricher
from otklik.nlp.sentiment.model import SentimentModel

LOW_STARS = 2  # a review rated this or lower is negative toward the brand, whatever its words


def sentiment_enricher(
    model: SentimentModel | None = None, brand_names: Mapping[int, Sequence[str]] | None = None
) -> Enricher:
    """An enricher filling `sentiment`, `sentiment_scores` and `brand_sentiments`.

    With no `model`, the packaged one is loaded on the first non-empty batch (once per process).

    `brand_names` maps a brand id to the names it is written by; for each brand a mention matched
    (`brand_matches`, filled by an earlier enricher) whose names are known, the text is scored with
    that brand masked as the target. Per the `Enriched` contract, a brand's label is kept only when
    it differs from the post's own.
    """
    names = {bid: [n for n in ns if n] for bid, ns in (brand_names or {}).items()}

    def enrich(items: Sequence[Enriched]) -> None:
        if not items:
            return
        m = model if model is not None else SentimentModel.load()
        texts = [item.text for item in items]
        langs = [item.lang or item.post.lang for item in items]
        pairs = [
            (i, bid) for i, item in enumerate(items) for bid in item.brand_matches if names.get(bid)
        ]
        # one call for the posts and their brands: the model's fixed cost per call is paid once
        results = m.predict(
            texts + [texts[i] for i, _ in pairs], langs + [langs[i] for i, _ in pairs],
            [None] * len(items) + [names[b] for _, b in pairs])
        for item, result in zip(items, results, strict=False):
            item.sentiment = result["label"]
            item.sentiment_scores = result["scores"]
        for (i, bid), result in zip(pairs, results[len(items):], strict=True):
            if result["label"] != items[i].sentiment:
                items[i].brand_sentiments[bid] = result["label"]
        for item in items:  # a 1–2 star review is negative whatever its words say
            if item.post.rating is not None and item.post.rating <= LOW_STARS:
                item.sentiment = "negative"
                item.brand_sentiments.clear()

    return enrich
