"""Web input: feeds, sitemaps, pages and URL lists, discovered together, then fetched in batches.

Discovery fetches feeds and sitemaps conditionally (what earlier runs learned comes through the context) and
skips pages fetched before unless ``refresh``; every downloaded body goes to the raw layer.
"""
from __future__ import annotations

from typing import Iterator

from tasks.fetch import HostMemory
from tasks.sources.base import Batch, Context, chunks
from tasks.web import WebSource, host_delays, no_raw

WEB_KINDS = ("feed", "sitemap", "page", "url-list", "auto")


def keep_bodies(context: Context, fetches: list) -> list:
    """Store every downloaded body in the raw layer (once per content) and drop it from the record."""
    for _, result in fetches:
        if result.body is not None:
            if context.raw is not None:
                result.sha256 = context.raw.put(result.body)
            result.body = None
    return fetches


class WebPages:
    kinds = WEB_KINDS

    def batches(self, specs: list, context: Context) -> Iterator[Batch]:
        if not specs:
            return
        options = context.options
        web = [WebSource(s.name, s.kind, s.location, s.allowed_domains, s.max_articles, s.rate_limit, context.window)
               for s in specs]
        memory = HostMemory()  # robots.txt and pacing per host, shared by discovery and every fetch batch
        found = context.discover(web, options.fetch, context.fetch_state, context.refresh, memory,
                                 context.raw.get if context.raw is not None else no_raw)
        context.say(f"discovered {len(found.links)} page(s) to fetch from {len(web)} web source(s)")
        yield Batch(docs=found.documents, rejects=found.rejects, fetches=keep_bodies(context, found.fetches),
                    inputs=len(found.documents))
        delays = host_delays(web)
        done = 0
        on_page = context.watch_fetch(found.links)
        for links in chunks(found.links, options.batch_size):
            fetched = context.fetch(links, options.fetch, found.validators, delays, memory, on_page)
            done += len(links)
            context.say(f"fetched {done} of {len(found.links)} page(s)")
            yield Batch(docs=fetched.documents, rejects=fetched.rejects, fetches=keep_bodies(context, fetched.fetches),
                        inputs=len(links))
