"""Which secrets the dashboard's forms ask for, from the templates' declared settings
(`SyncService.declared_settings`): a new template's secrets appear in the forms with no edit here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..template_settings import SettingSpec, TemplateSettings


def every_secret(declared: Mapping[str, TemplateSettings]) -> set[str]:
    """The names of the secrets any template declares."""
    return {name for settings in declared.values() for name in settings.names(secret=True)}


def own_secrets(declared: Mapping[str, TemplateSettings]) -> list[tuple[str, SettingSpec]]:
    """(template id, declaration) of each secret that some templates declare but not all, in the
    templates' order: those that say what a job of one template connects to, which the New-job form
    asks for by name (the others go in its free NAME=VALUE field)."""
    common = (
        set.intersection(*({spec.name for spec in settings.declared if spec.secret} for settings in declared.values()))
        if declared
        else set()
    )
    fields: list[tuple[str, SettingSpec]] = []
    for template_id, settings in declared.items():
        for spec in settings.declared:
            if spec.secret and spec.name not in common and spec.name not in {s.name for _, s in fields}:
                fields.append((template_id, spec))
    return fields
