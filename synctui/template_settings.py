"""What a job can be configured with: each template's settings and secrets, typed, with their
range, default and meaning.

The one source of truth for a job's configuration. Creating a job, saving its secrets and updating
its settings (command line, dashboard) check values here before anything is stored, and the code
that runs a job reads typed values from here (`TemplateSettings.read`) instead of parsing strings
itself. A value stored before a rule existed fails when it is read, naming the setting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import orjson

from .errors import SynctuiError
from .models import KeyValuePair, SynchronizationJob, format_duration, parse_duration
from .network import is_loopback

INTERVAL_MIN = timedelta(seconds=1)
INTERVAL_MAX = timedelta(days=365)
"""The longest schedule interval, one year. Graph documents no limit: it shows a paused job's
interval as TimeSpan.MaxValue (P10675199DT2H48M5.4775807S), which no date can be added to, and
Entra itself runs every 20–40 minutes. A year keeps every "last run + interval" (and each back-off
derived from it) a real date."""


class SettingError(SynctuiError, ValueError):
    """A value a template does not accept; the message is one line naming the setting and what it
    takes. `spec` is set when the fix is worth naming: a value stored earlier that must be set
    afresh, or a name given as a setting that is a secret (or the reverse)."""

    code = "BadRequest"

    def __init__(self, message: str, spec: SettingSpec | None = None) -> None:
        super().__init__(message)
        self.spec = spec


# --- kinds of value ---------------------------------------------------------------------------


class Kind(Protocol):
    @property
    def expects(self) -> str:
        """What a value must be, completing "setting X must be …"."""
        ...

    def parse(self, text: str) -> Any:
        """The typed value of `text`; ValueError when it is not one (its text, if any, says why)."""
        ...


_WHOLE = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class Whole:
    """A whole number within bounds."""

    low: int
    high: int

    @property
    def expects(self) -> str:
        return f"a whole number from {self.low:,} to {self.high:,}"

    def parse(self, text: str) -> int:
        if not _WHOLE.fullmatch(text.strip()) or not self.low <= int(text) <= self.high:
            raise ValueError
        return int(text)


@dataclass(frozen=True)
class Number:
    """A number within bounds."""

    low: float
    high: float

    @property
    def expects(self) -> str:
        return f"a number from {self.low:,g} to {self.high:,g}"

    def parse(self, text: str) -> float:
        if not _NUMBER.fullmatch(text.strip()) or not self.low <= float(text) <= self.high:
            raise ValueError
        return float(text)


@dataclass(frozen=True)
class Flag:
    """true or false, in any case."""

    expects: str = "true or false"

    def parse(self, text: str) -> bool:
        value = text.strip().lower()
        if value not in ("true", "false"):
            raise ValueError
        return value == "true"


@dataclass(frozen=True)
class Choice:
    """One of a few words, in any case; read back as declared."""

    values: tuple[str, ...]

    @property
    def expects(self) -> str:
        return f"one of {', '.join(self.values)}"

    def parse(self, text: str) -> str:
        for value in self.values:
            if value.lower() == text.strip().lower():
                return value
        raise ValueError


@dataclass(frozen=True)
class HttpUrl:
    """An http or https URL with a host and no query or fragment."""

    expects: str = "an http:// or https:// URL"

    def parse(self, text: str) -> str:
        parts = urlsplit(text.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError
        if parts.query or parts.fragment:
            raise ValueError(
                "without a query or fragment (for Entra's ?aadOptscim062020 flag, set ScimRequestStyle instead)"
            )
        return text.strip()


@dataclass(frozen=True)
class FilePath:
    """A file path, `~` expanded."""

    expects: str = "a file path"

    def parse(self, text: str) -> Path:
        if not text.strip() or "\0" in text:
            raise ValueError
        return Path(text.strip()).expanduser()


@dataclass(frozen=True)
class Token:
    """Sent in an HTTP header: a line break would end the header, other bytes don't travel."""

    expects: str = "printable ASCII without spaces or line breaks"

    def parse(self, text: str) -> str:
        if not text or not all("!" <= character <= "~" for character in text):
            raise ValueError
        return text


@dataclass(frozen=True)
class JsonObject:
    """A JSON object, given as its text."""

    example: str

    @property
    def expects(self) -> str:
        return f"a JSON object, like {self.example}"

    def parse(self, text: str) -> dict[str, Any]:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise ValueError from None
        if not isinstance(value, dict):
            raise ValueError
        return value


_ADDRESS = re.compile(r"[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+")
NOTIFICATION_FLAGS = ("Enabled", "DeleteThresholdEnabled", "HumanResourcesLookaheadQueryEnabled")


@dataclass(frozen=True)
class NotificationSettings(JsonObject):
    """Entra's `SyncNotificationSettings`: `Enabled` (e-mail on failure), `Recipients` (addresses
    separated by ; or ,), `DeleteThresholdEnabled` (the accidental-deletion check),
    `DeleteThresholdValue`, `HumanResourcesLookaheadQueryEnabled`; other keys are kept as they are."""

    def parse(self, text: str) -> dict[str, Any]:
        value = super().parse(text)
        for name in NOTIFICATION_FLAGS:
            if not isinstance(value.get(name, False), bool):
                raise ValueError(f"— {name} must be true or false")
        recipients = value.get("Recipients", "")
        if not isinstance(recipients, str):
            raise ValueError("— Recipients must be text: e-mail addresses separated by ;")
        for address in filter(None, (part.strip() for part in re.split("[;,]", recipients))):
            if not _ADDRESS.fullmatch(address):
                raise ValueError(f"— Recipients: {address!r} is not an e-mail address")
        if value.get("Enabled") and not recipients.strip():
            raise ValueError("— Enabled (e-mail on failure) needs an address in Recipients")
        threshold = value.get("DeleteThresholdValue", 0)
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
            raise ValueError("— DeleteThresholdValue must be a whole number 0 or more")
        return value


# --- declarations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingSpec:
    """One setting or secret of a template's jobs."""

    name: str
    kind: Kind
    meaning: str
    """One line, for help and the dashboard."""
    default: Any = None
    """The typed value used when the job does not set it (None: nothing)."""
    secret: bool = False
    """A secret of the job's application instance (write-only, `secrets put`), else a job setting."""
    required: bool = False
    """The job is NotConfigured until it is set."""
    readable: bool = False
    """A secret that is configuration rather than a credential (SyncNotificationSettings, SkipOutOfScopeDeletions):
    Entra's GET secrets returns its value, and the dashboard shows it in its own fields."""

    @property
    def what(self) -> str:
        return "secret" if self.secret else "setting"

    def parse(self, text: str) -> Any:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise SettingError(f"{self.what} {self.name} is not valid UTF-8 text", self) from None
        try:
            return self.kind.parse(text)
        except ValueError as error:
            why = f" {error}" if str(error) else ""
            raise SettingError(
                f"{self.what} {self.name} must be {self.kind.expects}{why}{self._not(text)}", self
            ) from None

    def _not(self, text: str) -> str:
        if self.secret:
            return ""  # write-only: a refused secret is not echoed either
        shown = text if len(text) <= 60 else text[:57] + "..."
        return f", not {shown!r}"


Rule = Callable[[Mapping[str, Any]], None]
"""A check across several values (typed, defaults filled in); raises SettingError."""


@dataclass(frozen=True)
class TemplateSettings:
    """The settings and secrets of one template's jobs."""

    template_id: str
    declared: tuple[SettingSpec, ...]
    rules: tuple[Rule, ...] = field(default=())
    initial_secrets: tuple[tuple[str, str], ...] = ()
    """Secrets a new job of the template starts with, unless it is given them."""

    def with_initial_secrets(self, secrets: Mapping[str, str]) -> dict[str, str]:
        """A new job's `secrets`, with the template's initial ones it is not given (names compare
        case-insensitively, as Graph's do)."""
        given = {name.lower() for name in secrets}
        return {**{name: value for name, value in self.initial_secrets if name.lower() not in given}, **secrets}

    def find(self, name: str) -> SettingSpec | None:
        """The declaration of `name`, compared case-insensitively as Graph compares setting names."""
        for spec in self.declared:
            if spec.name.lower() == name.strip().lower():
                return spec
        return None

    def names(self, *, secret: bool) -> list[str]:
        return [spec.name for spec in self.declared if spec.secret == secret]

    def readable_values(self, secrets: Mapping[str, str]) -> dict[str, str]:
        """The values among `secrets` of the secrets declared readable, under their declared names."""
        stored = {name.lower(): value for name, value in secrets.items()}
        return {
            spec.name: stored[spec.name.lower()]
            for spec in self.declared
            if spec.readable and spec.name.lower() in stored
        }

    def required(self, *, secret: bool) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.declared if spec.secret == secret and spec.required)

    def check(self, values: Mapping[str, str | None], *, secret: bool) -> dict[str, str | None]:
        """`values` under their declared names, each checked; None (remove it) passes. Raises
        SettingError for an unknown name, a secret given as a setting (or the reverse) or a bad value."""
        checked: dict[str, str | None] = {}
        for name, value in values.items():
            spec = self.find(name)
            what = "secret" if secret else "setting"
            if spec is None:
                raise SettingError(
                    f"unknown {what} {name!r} for a {self.template_id} job; its {what}s are: "
                    f"{', '.join(self.names(secret=secret))}"
                )
            if spec.secret != secret:
                raise SettingError(f"{spec.name} is a {spec.what} of {self.template_id} jobs, not a {what}", spec)
            if value is not None:
                try:
                    spec.parse(value)
                except SettingError as error:
                    raise SettingError(str(error)) from None  # the value was just given: nothing more to say
            checked[spec.name] = value
        return checked

    def read(self, settings: Mapping[str, str], secrets: Mapping[str, str]) -> dict[str, Any]:
        """Every declared value, typed, defaults filled in; names the job does not declare are left
        out (nothing reads them). Raises SettingError for a stored value that is not valid."""
        stored = {name.lower(): value for name, value in settings.items()}
        stored_secrets = {name.lower(): value for name, value in secrets.items()}
        values: dict[str, Any] = {}
        for spec in self.declared:
            text = (stored_secrets if spec.secret else stored).get(spec.name.lower())
            values[spec.name] = spec.parse(text) if text else spec.default
        for rule in self.rules:
            rule(values)
        return values

    def change(
        self,
        settings: Mapping[str, str],
        secrets: Mapping[str, str],
        *,
        setting_changes: Mapping[str, str | None],
        secret_changes: Mapping[str, str | None],
    ) -> tuple[dict[str, str], dict[str, str]]:
        """A job's settings and secrets with the changes made (None or an empty secret removes one):
        each change checked against the declaration, then the whole read as a cycle would (rules
        across values, values stored before they were checked). Raises SettingError."""
        setting_changes = self._declared(setting_changes, settings, secret=False)
        secret_changes = self._declared({k: v or None for k, v in secret_changes.items()}, secrets, secret=True)
        settings, secrets = _changed(settings, setting_changes), _changed(secrets, secret_changes)
        self.read(settings, secrets)
        return settings, secrets

    def _declared(
        self, changes: Mapping[str, str | None], stored: Mapping[str, str], *, secret: bool
    ) -> dict[str, str | None]:
        """`changes` checked against the declaration. A name stored but no longer declared (set by an
        older synctui) may still be removed."""
        removable = {name.lower(): name for name in stored if self.find(name) is None}
        removed = {
            removable[name.lower()]: None
            for name, value in changes.items()
            if value is None and name.lower() in removable
        }
        kept = {name: value for name, value in changes.items() if not (value is None and name.lower() in removable)}
        return {**self.check(kept, secret=secret), **removed}


def _changed(current: Mapping[str, str], changes: Mapping[str, str | None]) -> dict[str, str]:
    """`current` with `changes` made (None removes); names compare case-insensitively, as Graph's do."""
    changed = {name.lower() for name in changes}
    result = {name: value for name, value in current.items() if name.lower() not in changed}
    result.update({name: value for name, value in changes.items() if value is not None})
    return result


def with_fix(error: SettingError, job_id: str | None) -> str:
    """The error and, when it is about where a value belongs or a value stored earlier, how to set it."""
    spec = error.spec
    if spec is None:
        return str(error)
    return f"{error}; {how_to_set([spec], job_id)}"


def how_to_set(specs: Sequence[SettingSpec], job_id: str | None) -> str:
    """How to set these settings and secrets: the commands (secrets with `secrets put`, settings with
    `jobs update`), or, before the job exists (`job_id` None), where to give them."""
    if job_id is None:
        return " and ".join(f"give {spec.name} as a {spec.what}" for spec in specs)
    secrets = " ".join(f"{spec.name}=VALUE" for spec in specs if spec.secret)
    settings = " ".join(f"--setting {spec.name}=VALUE" for spec in specs if not spec.secret)
    commands = [f"`synctui secrets put {job_id} {secrets}`"] if secrets else []
    commands += [f"`synctui jobs update {job_id} {settings}`"] if settings else []
    return f"set {'it' if len(specs) == 1 else 'them'} with {' and '.join(commands)}"


def job_settings(job: SynchronizationJob) -> dict[str, str]:
    """The job's settings as stored: name → text."""
    return {pair.name: pair.value or "" for pair in job.synchronization_job_settings}


def setting_pairs(settings: Mapping[str, str]) -> list[KeyValuePair]:
    """Settings as a job keeps them (`synchronizationJobSettings`)."""
    return [KeyValuePair(name=name, value=value) for name, value in settings.items()]


def interval(text: str | timedelta) -> timedelta:
    """A schedule interval: an ISO 8601 duration (or a timedelta) from INTERVAL_MIN to INTERVAL_MAX."""
    try:
        value = text if isinstance(text, timedelta) else parse_duration(text)
    except ValueError as error:
        raise SettingError(f"bad interval: {error} ({_INTERVAL_RANGE})") from None
    check_interval(value)
    return value


def check_interval(value: timedelta) -> None:
    if not INTERVAL_MIN <= value <= INTERVAL_MAX:
        raise SettingError(f"bad interval {format_duration(value)}: {_INTERVAL_RANGE}")


_INTERVAL_RANGE = f"an interval runs from {format_duration(INTERVAL_MIN)} to {format_duration(INTERVAL_MAX)}, one year"


# --- what every template has -----------------------------------------------------------------------

COMMON: tuple[SettingSpec, ...] = (
    SettingSpec(
        "QuarantineTooManyDeletesThreshold",
        Whole(0, 100_000_000),
        "disables and deletes in one cycle above which they are held back and the job "
        "quarantines (TooManyDeletes); 0 turns the check off",
        500,
    ),
    SettingSpec(
        "QuarantineEscrowBaseThreshold",
        Whole(0, 100_000_000),
        "failed objects from which the escrow thresholds apply",
        5000,
    ),
    SettingSpec(
        "QuarantineEscrowProportionThreshold",
        Number(0, 1),
        "share of a cycle's provisioning events that may fail before quarantine",
        0.4,
    ),
    SettingSpec(
        "QuarantineEscrowTotalThreshold",
        Whole(0, 100_000_000),
        "failed objects (references left out) above which the job quarantines",
        40000,
    ),
    SettingSpec(
        "QuarantineEscrowAbsoluteThreshold",
        Whole(0, 100_000_000),
        "failures of any kind above which the job quarantines",
        60000,
    ),
    SettingSpec("CheckpointSeconds", Number(0.01, 3600), "seconds between saves of a running cycle's progress", 5.0),
    SettingSpec("TraceRequests", Flag(), "record every request to the target (`synctui logs JOB --requests`)", False),
    SettingSpec(
        "SkipOutOfScopeDeletions",
        Flag(),
        "leave target objects alone when their source object goes out of scope",
        False,
        secret=True,
        readable=True,
    ),
    SettingSpec(
        "SyncNotificationSettings",
        NotificationSettings('{"Enabled": true, "Recipients": "admin@contoso.com", "DeleteThresholdEnabled": true}'),
        "Entra's notification settings: Enabled and Recipients (e-mail on failure), DeleteThresholdEnabled "
        "(false turns the accidental-deletion check off)",
        {},
        secret=True,
        readable=True,
    ),
)


def source_path(meaning: str, *, required: bool = False) -> SettingSpec:
    return SettingSpec("SourcePath", FilePath(), meaning, required=required)


TENANT_SOURCE = source_path("the tenant directory (JSON) the job reads; the home's tenant directory if unset")


SYNC_ALL = SettingSpec(
    "SyncAll",
    Flag(),
    "true: sync all users and groups; false: only those assigned to the application (`synctui assignments`)",
    # Unset, a job syncs all, as every job did before assignments: a template whose jobs start
    # assigned-only says so in its initial secrets (see TemplateSettings.initial_secrets).
    True,
    secret=True,
    readable=True,  # a choice of what to sync, shown as Entra's portal shows it: no credential
)
"""Entra's scope choice, for a template whose source holds assignments (the tenant directory)."""


def declare(
    template_id: str,
    *declared: SettingSpec,
    rules: Sequence[Rule] = (),
    initial_secrets: Mapping[str, str] | None = None,
) -> TemplateSettings:
    """A template's settings: its own and the common ones."""
    return TemplateSettings(template_id, (*declared, *COMMON), tuple(rules), tuple((initial_secrets or {}).items()))


# --- SCIM -------------------------------------------------------------------------------------------


def token_stays_encrypted(values: Mapping[str, Any]) -> None:
    """The bearer token goes over TLS, or to this machine, unless the job allows otherwise."""
    address = values.get("BaseAddress")
    if not address or values.get("AllowInsecureHttp"):
        return
    parts = urlsplit(address)
    if parts.scheme.lower() == "http" and not is_loopback(parts.hostname or ""):
        # Imported here: the SCIM connector brings httpx, ~0.08 s of every command's start.
        from .connectors.scim import credentials_of, mask

        raise SettingError(
            f"BaseAddress {mask(address, credentials_of(address))} sends the token unencrypted; "
            "use https://, or set AllowInsecureHttp=true to allow it (a host other than this machine "
            "can read the token on the way)"
        )
