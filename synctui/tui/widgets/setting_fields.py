"""The fields of one template's settings and secrets, shared by the Settings tab and the New-job form.

Each setting the job's template declares has a field, with its meaning, what it takes and its
default (a flag is a checkbox); the credentials are write-only fields that say whether they are set;
the accidental-deletion check and the notification e-mail have fields of their own, stored where
Entra stores them (the `QuarantineTooManyDeletesThreshold` setting, the `SyncNotificationSettings`
secret). Another template's settings never appear: they would be refused anyway."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from textual import on
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from ...template_settings import Flag

if TYPE_CHECKING:
    from ...template_settings import SettingSpec, TemplateSettings

DELETE_THRESHOLD = "QuarantineTooManyDeletesThreshold"
NOTIFICATIONS = "SyncNotificationSettings"
DELETES_CHECKED = "DeleteThresholdEnabled"
"""The key of SyncNotificationSettings that turns the accidental-deletion check on (its default)."""
SCOPE = "SyncAll"
"""A secret chosen in a Scope select, as Entra's portal offers it, rather than ticked."""
SCOPES = [("Sync only assigned users and groups", False), ("Sync all users and groups", True)]


def default_text(spec: SettingSpec) -> str:
    default = spec.default
    if default is None or isinstance(default, dict):
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, float):
        return f"{default:g}"
    return f"{default:,}" if isinstance(default, int) else str(default)


def help_text(spec: SettingSpec) -> str:
    """The meaning, what a value must be and the default: the line under a field."""
    parts = ["required" if spec.required else "", spec.meaning]
    if not isinstance(spec.kind, Flag) and not spec.secret:
        parts.append(spec.kind.expects)
    if default_text(spec):
        parts.append(f"default {default_text(spec)}")
    return " · ".join(part for part in parts if part)


def _flag(text: str | None, default: bool) -> bool:
    return text.strip().lower() == "true" if text else default


def _row(label: str, field: Widget) -> Horizontal:
    return Horizontal(Label(label, classes="field-name"), field, classes="field-row")


def _help(text: str, under_checkbox: bool = False) -> Static:
    return Static(text, classes="field-help" + (" check-help" if under_checkbox else ""), markup=False)


class SettingFields(Vertical):
    """`fill` with a template's declaration and a job's values (none for a new job); `changes` is what
    the fields changed, as `update_job` / `create_job` take it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.declared: TemplateSettings | None = None
        self._settings: dict[str, str] = {}
        """The job's settings when filled, by declared name."""
        self._readable: dict[str, str] = {}
        self._notifications: dict[str, Any] = {}

    def fill(
        self,
        declared: TemplateSettings,
        settings: Mapping[str, str],
        secrets_set: Collection[str],
        readable: Mapping[str, str],
    ) -> None:
        """Rebuild the fields: `settings` the job's settings, `secrets_set` the names of its secrets
        that are set, `readable` the values of its readable secrets (see SyncService.readable_secrets)."""
        self.declared = declared
        self._settings = {spec.name: value for name, value in settings.items() if (spec := declared.find(name))}
        self._readable = dict(readable)
        try:
            self._notifications = json.loads(readable.get(NOTIFICATIONS) or "{}")
        except ValueError:
            self._notifications = {}  # stored before it was checked: saved afresh from the fields
        # A new container: the old one's ids are free only once it is gone, which takes a refresh.
        self.remove_children()
        self.mount(Vertical(*self._fields(declared, {name.lower() for name in secrets_set}), classes="fields"))
        self.call_after_refresh(self._threshold_enabled)

    def _fields(self, declared: TemplateSettings, secrets_set: set[str]) -> list[Widget]:
        credentials = [spec for spec in declared.declared if spec.secret and not spec.readable]
        fields: list[Widget] = []
        if credentials:
            fields.append(Label("Connection — secrets are write-only: values are never shown", classes="section"))
        for spec in credentials:
            is_set = spec.name.lower() in secrets_set
            state = Label(
                "set" if is_set else "not set",
                classes="secret-state " + ("is-set" if is_set else "not-set"),
                name=spec.name,
            )
            field = Input(
                password=True,
                placeholder="new value (empty keeps it)" if is_set else spec.kind.expects,
                id=f"secret-{spec.name}",
                name=spec.name,
                classes="secret-input",
            )
            name = Horizontal(Label(spec.name + (" *" if spec.required else "")), state, classes="field-name")
            fields += [Horizontal(name, field, classes="field-row"), _help(help_text(spec))]
        fields.append(Label("Settings", classes="section"))
        scope = declared.find(SCOPE)
        if scope is not None:
            fields += self._setting_field(scope, "Scope")
        for spec in declared.declared:
            if spec.name in (DELETE_THRESHOLD, NOTIFICATIONS, SCOPE) or (spec.secret and not spec.readable):
                continue
            fields += self._setting_field(spec)
        threshold = declared.find(DELETE_THRESHOLD)
        if threshold is not None:
            fields += [
                Label("Accidental deletions", classes="section"),
                Checkbox(
                    "Prevent accidental deletions (hold back a cycle's deletes above the threshold)",
                    value=self._notifications.get(DELETES_CHECKED, True) is not False,
                    id="delete-check",
                ),
                *self._setting_field(threshold, "Deletion threshold"),
            ]
        if declared.find(NOTIFICATIONS) is not None:
            fields += [
                Label("Notifications", classes="section"),
                _row(
                    "Notification email",
                    Input(
                        str(self._notifications.get("Recipients") or ""),
                        placeholder="admin@contoso.com; ops@contoso.com",
                        id="notify-email",
                        classes="setting-input",
                    ),
                ),
                Checkbox(
                    "Send an e-mail notification when a failure occurs",
                    value=self._notifications.get("Enabled") is True,
                    id="notify-failure",
                ),
                _help(
                    "kept in the SyncNotificationSettings secret, as Entra keeps it; synctui itself sends no e-mail",
                    under_checkbox=True,
                ),
            ]
        return fields

    def _setting_field(self, spec: SettingSpec, label: str | None = None) -> list[Widget]:
        stored = self._readable.get(spec.name) if spec.secret else self._settings.get(spec.name)
        widget_id = f"{'secret' if spec.secret else 'setting'}-{spec.name}"
        if spec.name == SCOPE:
            chosen = _flag(stored, bool(spec.default))
            select = Select(SCOPES, allow_blank=False, value=chosen, id=widget_id, name=spec.name)
            return [
                _row(label or spec.name, select),
                _help(f"Entra's scope, kept in the secret {SCOPE}: the Assignments tab lists who is assigned"),
            ]
        if isinstance(spec.kind, Flag):
            return [
                Checkbox(label or spec.name, value=_flag(stored, bool(spec.default)), id=widget_id, name=spec.name),
                _help(help_text(spec), under_checkbox=True),
            ]
        placeholder = f"default {default_text(spec)}" if default_text(spec) else "not set"
        field = Input(stored or "", placeholder=placeholder, id=widget_id, name=spec.name, classes="setting-input")
        return [_row((label or spec.name) + (" *" if spec.required else ""), field), _help(help_text(spec))]

    @on(Checkbox.Changed, "#delete-check")
    def _threshold_enabled(self) -> None:
        checks = self.query("#delete-check").results(Checkbox)
        for check in checks:
            for field in self.query(f"#setting-{DELETE_THRESHOLD}").results(Input):
                field.disabled = not check.value

    # --- what changed ------------------------------------------------------------------------------

    def show_secret_states(self, secrets_set: Collection[str]) -> None:
        """Say which secrets are set, without touching what is typed."""
        names = {name.lower() for name in secrets_set}
        for label in self.query(".secret-state").results(Label):
            is_set = (label.name or "").lower() in names
            label.update("set" if is_set else "not set")
            label.set_class(is_set, "is-set")
            label.set_class(not is_set, "not-set")

    def clear_secrets(self) -> None:
        for field in self.query(".secret-input").results(Input):
            field.value = ""

    def changes(self) -> tuple[dict[str, str | None], dict[str, str]]:
        """(setting changes, secret changes): a setting emptied is removed (None: its default applies);
        an empty secret field keeps the secret."""
        if self.declared is None:
            return {}, {}
        settings: dict[str, str | None] = {}
        secrets: dict[str, str] = {}
        for spec in self.declared.declared:
            if spec.secret and not spec.readable:
                field = self.query(f"#secret-{spec.name}").results(Input)
                for secret in field:
                    if secret.value:
                        secrets[spec.name] = secret.value
                continue
            if spec.name == NOTIFICATIONS:
                notifications = self._notification_changes()
                if notifications is not None:
                    secrets[NOTIFICATIONS] = notifications
                continue
            stored = self._readable.get(spec.name) if spec.secret else self._settings.get(spec.name)
            changed, new = self._typed(spec, stored)
            if changed:
                if spec.secret:
                    secrets[spec.name] = new or ""  # an empty secret removes it
                else:
                    settings[spec.name] = new
        return settings, secrets

    def _typed(self, spec: SettingSpec, stored: str | None) -> tuple[bool, str | None]:
        """Whether the field of `spec` changed, and to what: its new text, or None (remove it)."""
        widget_id = f"#{'secret' if spec.secret else 'setting'}-{spec.name}"
        if isinstance(spec.kind, Flag):
            field = self.query_one(widget_id)
            checked = bool(field.value if isinstance(field, (Checkbox, Select)) else False)
            if checked == _flag(stored, bool(spec.default)):
                return False, None
            return True, None if checked == bool(spec.default) else ("true" if checked else "false")
        text = self.query_one(widget_id, Input).value.strip()
        return text != (stored or "").strip(), text or None

    def _notification_changes(self) -> str | None:
        """SyncNotificationSettings as the fields say, keeping the keys they do not show; None if unchanged."""
        new = dict(self._notifications)
        for check, key in (("#delete-check", DELETES_CHECKED), ("#notify-failure", "Enabled")):
            for box in self.query(check).results(Checkbox):
                new[key] = box.value
        for email in self.query("#notify-email").results(Input):
            new["Recipients"] = email.value.strip()
        if not new.get("Recipients"):
            new.pop("Recipients", None)
        shown = {DELETES_CHECKED: True, "Enabled": False}
        before = {**shown, **self._notifications}
        if {**shown, **new} == before:
            return None
        return json.dumps(new, separators=(",", ":"))
