"""Bulk API 2.0 result pages downloaded on a reader thread while the caller parses and writes the previous one.

Salesforce builds a whole page before it answers: fetching page N+1 while page N is parsed and written hides that
wait. The thread only moves bytes (socket reads release the GIL); parsing stays in the caller's thread, because
SQLite releases and re-takes the GIL for every row it writes and a CPU-bound second thread would stall each of
those hand-overs. A page waits in an unnamed temporary file (the OS page cache, not our heap: a 50,000-row page is
tens of MB, and heap buffers of that size fragment), at most `DEPTH` pages ahead, so memory stays flat whatever the
org size.

The thread never touches the database: its client keeps API usage in memory (the caller persists it) and does not
refresh tokens (a 401 comes back to the caller, which refreshes and starts a new reader at its checkpoint). Every
write, checkpoint included, happens in the caller's thread, batch by batch, in order.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import queue
import tempfile
import threading
import typing
from collections.abc import Iterator
from dataclasses import dataclass

import requests
from django.utils import timezone

from integrations.errors import RetryLater
from integrations.providers.salesforce.client import SalesforceClient
from integrations.providers.salesforce.limits import parse_limit_info
from sync.budget import ApiBudget
from sync.bulk_csv import CsvRowAdapter

LOCATOR_DONE = "null"
"""Salesforce's own end-of-results locator."""
DEPTH = 1
"""Pages downloaded ahead of the one being written."""
CHUNK_BYTES = 1024 * 1024


class DetachedClient(SalesforceClient):
    """A client for the reader thread: shares the caller's Connection object (so usage figures are seen by both
    budgets) but writes nothing to the database."""

    def on_response(self, response: requests.Response) -> None:
        self.api_calls += 1
        usage = parse_limit_info(response.headers.get("Sforce-Limit-Info"))
        if usage:
            self.connection.api_usage_used, self.connection.api_usage_max = usage
            self.connection.api_usage_at = timezone.now()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.send(method, path, **kwargs)  # no token refresh here: it writes the credential


@dataclass
class PageBatch:
    """Up to `batch_size` rows of one page, with the checkpoint that is true once they are committed."""

    params: list
    checkpoint: dict
    newest: dt.datetime | None = None
    deletes: int = 0


@dataclass
class Page:
    next_locator: str
    body: typing.BinaryIO


def page_batches(page: Page, *, skip: int, batch_size: int, adapter_kwargs: dict) -> Iterator[PageBatch]:
    """The page's rows after the first `skip`, as upsert parameter batches; the last one moves the checkpoint to
    the next page."""
    text = io.TextIOWrapper(page.body, encoding="utf-8", newline="")
    reader = csv.reader(text)
    header = next(reader, [])
    if not header:
        yield PageBatch([], {"locator": page.next_locator, "page_offset": 0})
        return
    adapter = CsvRowAdapter(header=header, **adapter_kwargs)
    to_params = adapter.params
    rows = itertools.islice(reader, skip, None)
    done_in_page = skip
    pending = next(rows, None)  # one row of lookahead: the page's last batch is known without an empty commit
    while True:
        raw = [] if pending is None else [pending, *itertools.islice(rows, batch_size - 1)]
        pending = next(rows, None)
        last = pending is None
        chunk = [row for row in raw if row]  # a blank line is no record (but counts as a line read)
        done_in_page += len(raw)
        checkpoint = {"locator": page.next_locator, "page_offset": 0} if last else {"page_offset": done_in_page}
        yield PageBatch([to_params(row) for row in chunk], checkpoint, adapter.newest(chunk), adapter.deletes(chunk))
        if last:
            return


class PagePrefetcher:
    """Iterate the job's result Pages from `locator` on, downloaded ahead by a thread.

    Use as a context manager: leaving it (normally, on an error, or on cancellation) stops and joins the thread and
    drops the pages not read."""

    def __init__(self, *, client: DetachedClient, budget: ApiBudget, job_id: str, locator: str, page_size: int):
        self.client, self.budget, self.job_id = client, budget, job_id
        self.locator, self.page_size = locator, page_size
        self._queue: queue.Queue = queue.Queue(maxsize=DEPTH)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"bulk-pages-{job_id}", daemon=True)

    def __enter__(self) -> PagePrefetcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        while self._thread.is_alive() or not self._queue.empty():  # unblock the thread; close what it left
            with contextlib.suppress(queue.Empty):
                item = self._queue.get(timeout=0.05)
                if isinstance(item, Page):
                    item.body.close()
        self._thread.join()

    def __iter__(self) -> Iterator[Page]:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            try:
                yield item
            finally:
                item.body.close()

    # -- the thread ---------------------------------------------------------------------------------------------
    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            locator = self.locator
            while locator != LOCATOR_DONE and not self._stop.is_set():
                self.budget.check()
                page = self._download(locator)
                if not self._put(page):
                    page.body.close()
                    return
                locator = page.next_locator
            self._put(None)
        except BaseException as exc:  # handed to the caller's thread, which raises it after its last commit
            self._put(exc)

    def _download(self, locator: str) -> Page:
        response = self.client.bulk_query_results(self.job_id, locator=locator or None, max_records=self.page_size)
        body = tempfile.TemporaryFile()  # noqa: SIM115 (closed by whoever reads or drops the page)
        try:
            for chunk in response.iter_content(CHUNK_BYTES):  # decoded (gzip) as it arrives
                if self._stop.is_set():
                    break
                body.write(chunk)
        except requests.RequestException as exc:
            body.close()
            message = "Salesforce closed the connection in the middle of a page."
            raise RetryLater(message, code="CONNECTION_ERROR") from exc
        except BaseException:
            body.close()
            raise
        finally:
            response.close()
        body.seek(0)
        return Page(response.headers.get("Sforce-Locator") or LOCATOR_DONE, body)
