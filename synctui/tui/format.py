"""Small, pure formatting helpers shared by the screens (no Textual widgets here)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..models import NEVER, SynchronizationJob, SynchronizationTaskExecution, format_duration, parse_datetime

if TYPE_CHECKING:
    # rich is imported where a Text is made: `jobs run` prints its report through this module and
    # has no other use for rich (~7 ms of its start); the dashboard has it loaded already.
    from rich.text import Text

STATUS_STYLES = {
    "Active": ("●", "bold #000000 on #4ebf71"),
    "Paused": ("‖", "bold #000000 on #ffc107"),
    "Quarantine": ("✖", "bold #ffffff on #d9534f"),
    "NotRun": ("○", "bold #ffffff on #4f6d9a"),
    "NotConfigured": ("!", "bold #000000 on #c792ea"),
}

RESULT_STYLES = {"Succeeded": "green", "Failed": "bold red", "EntryLevelErrors": "yellow"}
ACTION_STYLES = {"create": "green", "update": "cyan", "delete": "red", "disable": "yellow", "other": "dim"}
STATUS_INFO_STYLES = {"success": "green", "failure": "bold red", "skipped": "dim", "warning": "yellow"}


def enum_text(value: Any) -> str:
    return str(getattr(value, "value", value) if value is not None else "")


def badge(code: Any) -> Text:
    """The status code as a coloured badge that also carries the text (never colour alone)."""
    from rich.text import Text

    name = enum_text(code) or "Unknown"
    icon, style = STATUS_STYLES.get(name, ("?", "reverse"))
    # A styled span, not a base style: the colour covers the words, not the whole cell.
    return Text.assemble((f"{icon} {name}", style))


def is_never(moment: datetime | None) -> bool:
    return moment is None or moment == NEVER or moment.year <= 1


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return parse_datetime(str(value))
    except (ValueError, TypeError):
        return None


def relative(moment: Any, now: datetime) -> str:
    """'3m ago', 'in 2h', 'never'."""
    moment = as_datetime(moment)
    if moment is None or is_never(moment):
        return "never"
    seconds = int((now - moment).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 5:
        return "now" if future else "just now"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        if seconds >= size:
            amount = f"{seconds // size}{unit}"
            return f"in {amount}" if future else f"{amount} ago"
    return "now"


def absolute(moment: Any) -> str:
    when = as_datetime(moment)
    if when is None or is_never(when):
        return "never"
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def interval_text(interval: timedelta | None) -> str:
    if interval is None:
        return "—"
    seconds = int(interval.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def iso_interval(interval: timedelta | None) -> str:
    return format_duration(interval) if interval is not None else ""


def in_sync(job: SynchronizationJob) -> str:
    counts = job.status.synchronized_entry_count_by_type if job.status else []
    if not counts:
        return "—"
    total = sum(int(pair.value or 0) for pair in counts)
    parts = " ".join(f"{short_type(pair.key)[:1]}{pair.value}" for pair in counts)
    return f"{total} ({parts})"


def short_type(key: str | None) -> str:
    """'Provision User to User' → 'User' (the counts are keyed by object mapping name)."""
    key = key or "?"
    return key.rsplit(" to ", 1)[-1] if " to " in key else key


def in_sync_long(job: SynchronizationJob) -> str:
    counts = job.status.synchronized_entry_count_by_type if job.status else []
    return ", ".join(f"{pair.value} {short_type(pair.key)}" for pair in counts) or "none yet"


QUARANTINE_RESULTS = {
    "TooManyDeletes": "TooManyDeletes",
    "EncounteredBaseEscrowThreshold": "TooManyErrors",
    "EncounteredTotalEscrowThreshold": "TooManyErrors",
    "EncounteredEscrowProportionThreshold": "TooManyErrors",
    "EncounteredQuarantineException": "Failed",
}
"""A quarantine's reason as a last result short enough for the jobs table (the Status tab names it whole)."""


def last_result(job: SynchronizationJob) -> Text:
    from rich.text import Text

    last = job.status.last_execution if job.status else None
    if last is None:
        return Text("—", style="dim")
    quarantine = job.status.quarantine if job.status else None
    if quarantine is not None:
        # The cycle's own state (Succeeded: it exported nothing wrong) would hide that it ended in quarantine.
        reason = QUARANTINE_RESULTS.get(enum_text(quarantine.reason), "Quarantined")
        return Text(reason, style="bold red", overflow="ellipsis", no_wrap=True)
    state = enum_text(last.state)
    text = Text(state, style=RESULT_STYLES.get(state, ""))
    text.append(f" ↑{last.count_exported}", style="dim")
    return text


def next_run_text(due: datetime | None, now: datetime, *, running: bool = False) -> Text:
    """A job's next run as every view shows it: "▶ running", "—" when no cycle is scheduled, "due
    now", "in 4m"."""
    from rich.text import Text

    if running:
        return Text("▶ running", style="bold cyan")
    if due is None:
        return Text("—", style="dim")
    return Text("due now" if is_never(due) or due <= now else relative(due, now))


def duration_text(seconds: float) -> str:
    """A duration with its unit: "0.4 s", "12.0 s", "4 min 05 s", "2 h 03 min"."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def cycle_report(
    execution: SynchronizationTaskExecution, job: SynchronizationJob, next_run: datetime | None, waiting: int = 0
) -> list[str]:
    """What a cycle did, as `jobs run` prints it and the dashboard's toast shows it: a summary line
    that starts with the quarantine it ended in, if it did (never a bare "Succeeded" for a cycle
    whose deletes were held back), then the error with what to do, then the next attempt.
    `waiting`: the objects waiting for a retry, escrowed in this or earlier cycles."""
    state = enum_text(execution.state)
    quarantine = job.status.quarantine if job.status else None
    reason = enum_text(quarantine.reason) if quarantine else ""
    head = f"Quarantine ({reason})" if quarantine is not None and state != "Failed" else state
    took = duration_text(max((execution.time_ended - execution.time_began).total_seconds(), 0.0))
    escrowed = f"escrowed {execution.count_escrowed}"
    if execution.count_escrowed_raw != execution.count_escrowed:  # Graph's two counts: say both
        escrowed += f" ({execution.count_escrowed_raw} counting reference failures)"
    summary = (
        f"{head}: imported {execution.count_imported}, changes {execution.count_imported_deltas}, "
        f"exported {execution.count_exported}/{execution.count_exports}, {escrowed}"
    )
    summary += f"; {waiting} objects wait for a retry" if waiting else ""
    lines = [f"{summary}, took {took}"]
    error = execution.error
    if error is None or not (error.code or error.message):
        error = quarantine.error if quarantine else None
    if error is not None:
        lines.append(f"  {error.code or ''}: {error.message or ''}")
    if quarantine is not None:
        if next_run is None:
            schedule = enum_text(job.schedule.state) if job.schedule else "not set"
            attempt = f"none while the schedule is {schedule} (start the job to retry)"
        else:
            attempt = "at once" if is_never(next_run) else absolute(next_run)
        lines.append(f"  The job is in quarantine ({reason}); next attempt: {attempt}")
    return lines


def abbreviated_count(number: int) -> str:
    """59421 → 59k, 1500 → 1.5k, 2345678 → 2.3M: rounded down, so never more than it is."""
    for size, unit in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if number >= size:
            if number < 10 * size:
                return f"{number * 10 // size / 10:g}{unit}"
            return f"{number // size}{unit}"
    return str(number)


_LONG_NUMBER = re.compile(r"\d{4,}")


def fit_cell(cell: Text | str, width: int, *, counts: bool = False) -> Text | str:
    """A table cell in at most `width` cells, never cut silently: as it is if it fits; else, for a
    cell of `counts`, with its numbers of four digits or more abbreviated (59421 → 59k) and, if
    that is not enough, its longest word shortened with an ellipsis (the numbers stay whole);
    else ending in an ellipsis."""
    from rich.text import Text

    text = cell if isinstance(cell, Text) else Text(cell)
    if text.cell_len <= width:
        return cell
    if counts:
        text = _shorten_longest_word(_abbreviate_counts(text), width)
    if text.cell_len > width:
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
    return text


def _abbreviate_counts(text: Text) -> Text:
    """`text` with its long numbers abbreviated, each keeping its style."""
    from rich.text import Text

    bounds = [bound for match in _LONG_NUMBER.finditer(text.plain) for bound in match.span()]
    if not bounds:
        return text
    pieces = text.divide(bounds)
    for index, piece in enumerate(pieces):
        if _LONG_NUMBER.fullmatch(piece.plain):
            short = abbreviated_count(int(piece.plain))
            pieces[index] = Text(short, style=piece.style)
            for span in piece.spans:
                pieces[index].stylize(span.style, 0, len(short))
    return Text("", style=text.style).join(pieces)


_WORD = re.compile(r"[^\W\d_]{4,}")


def _shorten_longest_word(text: Text, width: int) -> Text:
    """`text` in `width` cells by cutting its longest word ("EntryLevelErr… ↑17"), when that word
    keeps three letters at least; else `text` as it was."""
    from rich.text import Text

    excess = text.cell_len - width
    words = sorted(_WORD.finditer(text.plain), key=lambda match: len(match.group()), reverse=True)
    if excess <= 0 or not words or len(words[0].group()) - excess - 1 < 3:
        return text
    start, end = words[0].span()
    before, word, after = text.divide([start, end])
    word.truncate(len(word) - excess, overflow="ellipsis")
    return Text("", style=text.style).join([before, word, after])


def log_time(entry: dict[str, Any], now: datetime) -> str:
    return relative(entry.get("activityDateTime"), now)


def object_name(entry: dict[str, Any]) -> str:
    source = entry.get("sourceIdentity") or {}
    return str(source.get("displayName") or source.get("id") or "?")


def fuzzy_match(needle: str, haystack: str) -> bool:
    """Substring, else the letters of `needle` in order (k9s-style fuzzy filter)."""
    needle, haystack = needle.lower().strip(), haystack.lower()
    if not needle or needle in haystack:
        return True
    position = 0
    for char in needle:
        if char == " ":
            continue
        position = haystack.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def scope_consequence(scope: set[str]) -> str | None:
    """What a dangerous restart scope does, in words for the confirm dialog (None if not dangerous)."""
    parts = []
    if "Full" in scope or "ConnectorDataStore" in scope:
        parts.append(
            "forgets every link between source and target objects: the next cycle re-imports and re-matches everything"
        )
    if "ForceDeletes" in scope:
        parts.append("lets the next cycle delete or disable target objects even past the deletion threshold")
    return "; ".join(parts) or None


def typeable(text: str) -> str:
    """`text` as a user can type it on any keyboard: arrows as `->`, accents dropped ("Zoë" → "Zoe")."""
    text = text.replace("→", "->").replace("←", "<-")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def matches_typed(typed: str, name: str) -> bool:
    """Whether `typed` names `name` for a type-to-confirm prompt: the name itself or its typeable
    form, ignoring case and runs of spaces (the point is intent, not exact typing)."""

    def key(value: str) -> str:
        return " ".join(value.split()).casefold()

    return bool(typed.strip()) and key(typed) in (key(name), key(typeable(name)))
