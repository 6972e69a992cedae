"""Progress of long work: a bar on the terminal, and one line per batch for a log. No Dagster here.

`salvo extract` and `salvo run` draw a progress bar (tqdm) on stderr when stderr is a terminal, and nothing
otherwise: a pipe, a file, CI and the tests see no progress. `SALVO_PROGRESS=1` forces the bar on (e.g. to a
log file), `SALVO_PROGRESS=0` off; `--progress` / `--no-progress` override both (`wanted`).

- `terminal(on)`: the command's bar for the duration of a `with`, or nothing when `on` is false. Only one is
  open at a time (`current()`), so code deep in a run (the Dagster assets of `salvo run`, in the same process)
  reports into it without being handed it; with no bar open every call here is a no-op.
- `Bar.phase(desc, total)`: what the bar counts now (articles read, articles extracted) and how many there are.
- `counted(items)`: an iterator that advances the bar by the items that pass through it (articles read).
- `Batches`: per-batch progress of one piece of work, e.g. the extraction of a run's articles in batches:
  each `done(articles, rows)` makes one line (batch i/n, articles, rows, rate, ETA) for a log (the Dagster
  asset gives `context.log.info`) and advances the bar, if one is open.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from pipelines import settings

ENV = "SALVO_PROGRESS"
_current: Bar | None = None


def wanted(option: bool | None = None, stream: IO[str] | None = None, environ=None) -> bool:
    """Whether to draw progress: the command-line option if given, else SALVO_PROGRESS if set, else whether
    `stream` (stderr) is a terminal."""
    if option is not None:
        return option
    forced = settings.progress(environ)
    if forced is not None:
        return forced
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class Bar:
    """One tqdm bar on `stream`, relabelled per phase: `prefix` (e.g. the run) and the phase's description. It
    is drawn from the first phase on; each phase draws a bar of its own in the same place."""

    def __init__(self, stream: IO[str] | None = None, prefix: str = "") -> None:
        self.prefix = prefix
        self._stream = sys.stderr if stream is None else stream
        self._tqdm: Any = None

    def phase(self, desc: str, total: int | None = None) -> None:
        """A new bar in place of the last (which is cleared): `desc`, counting towards `total` (None: unknown)."""
        from tqdm import tqdm

        if self._tqdm is not None:
            self._tqdm.close()
        self._tqdm = tqdm(
            desc=f"{self.prefix}: {desc}" if self.prefix else desc,
            total=total,
            unit=" articles",
            file=self._stream,
            dynamic_ncols=True,
            mininterval=0.5,
            leave=False,
        )

    def advance(self, n: int, postfix: str | None = None) -> None:
        if self._tqdm is None:
            self.phase("")
        if postfix is not None:
            self._tqdm.set_postfix_str(postfix, refresh=False)
        self._tqdm.update(n)

    def write(self, line: str) -> None:
        """A line above the bar (tqdm keeps the bar below it)."""
        if self._tqdm is None:
            print(line, file=self._stream, flush=True)
        else:
            self._tqdm.write(line, file=self._stream)

    def close(self) -> None:
        """The last bar stays on the terminal, as the command's final figures."""
        if self._tqdm is not None:
            self._tqdm.leave = True
            self._tqdm.close()


@contextmanager
def terminal(on: bool, stream: IO[str] | None = None) -> Iterator[Bar | None]:
    """The command's bar while the `with` lasts (None when `on` is false); `current()` returns it meanwhile."""
    global _current
    if not on:
        yield None
        return
    bar, before = Bar(stream), _current
    _current = bar
    try:
        yield bar
    finally:
        _current = before
        bar.close()


def current() -> Bar | None:
    return _current


def phase(desc: str, total: int | None = None) -> None:
    """Relabel the open bar, if any."""
    if _current is not None:
        _current.phase(desc, total)


def counted(items: Iterable[Any], every: int = 500) -> Iterator[Any]:
    """`items`, advancing the open bar by them as they pass (in steps of `every`, so a bar costs nothing per
    item); without a bar, `items` itself."""
    bar = _current
    if bar is None:
        yield from items
        return
    pending = 0
    for item in items:
        yield item
        pending += 1
        if pending >= every:
            bar.advance(pending)
            pending = 0
    if pending:
        bar.advance(pending)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Batches:
    """Per-batch progress of one piece of work over `articles` articles in `batches` batches (either may be
    unknown: None). Each `done` returns its line and sends it to `log`; the open bar (or `bar`) counts the
    articles, with the batch and the rows beside it."""

    def __init__(
        self,
        what: str,
        *,
        articles: int | None = None,
        batches: int | None = None,
        log: Callable[[str], Any] | None = None,
        bar: Bar | None = None,
    ) -> None:
        self.what, self.total_articles, self.total_batches, self.log = what, articles, batches, log
        self.bar = bar if bar is not None else _current
        self.batches = self.articles = self.rows = 0
        self._t0 = time.perf_counter()
        if self.bar is not None:
            self.bar.phase(what, articles)

    def done(self, articles: int, rows: int) -> str:
        self.batches += 1
        self.articles += articles
        self.rows += rows
        elapsed = max(time.perf_counter() - self._t0, 1e-9)
        rate = self.articles / elapsed
        of_batches = f"/{self.total_batches}" if self.total_batches else ""
        of_articles = f"/{self.total_articles:,}" if self.total_articles is not None else ""
        line = (
            f"{self.what}: batch {self.batches}{of_batches}, {articles:,} articles ({self.articles:,}"
            f"{of_articles} done), {rows:,} rows ({self.rows:,} in all), {rate:,.0f} articles/s"
        )
        if self.total_articles is not None and self.articles < self.total_articles and rate > 0:
            line += f", ETA {_duration((self.total_articles - self.articles) / rate)}"
        if self.log is not None:
            self.log(line)
        if self.bar is not None:
            self.bar.advance(articles, f"batch {self.batches}{of_batches}, {self.rows:,} rows")
        return line
