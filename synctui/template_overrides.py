"""An application instance's own version of its template (Graph's PATCH of a template).

Graph lets the owner of an application override the synchronization template it was made from:
the template's description, metadata and default schema, which new jobs of that application then
start from. Here the override is kept with the application instance (its service principal); a
template that was never overridden is the built-in one of templates.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .errors import InvalidRequest, validation_problems
from .models import SynchronizationSchema, SynchronizationTemplate
from .schema_validation import checked_schema
from .store.jobs import JobRepository
from .templates import TemplateSpec, template_spec


def template_of(jobs: JobRepository, principal_id: str | None, template_id: str) -> SynchronizationTemplate:
    """The template as the application instance sees it: its override, else the built-in one."""
    spec = template_spec(template_id)
    override = jobs.template_override(principal_id) if principal_id is not None else None
    return SynchronizationTemplate.model_validate(override) if override else spec.template()


def override_template(
    jobs: JobRepository, principal_id: str, template_id: str, document: Mapping[str, Any]
) -> SynchronizationTemplate:
    """Replace the instance's template with `document` (Graph JSON of a synchronizationTemplate;
    a property left out is erased, as Graph does). Its schema is checked as a job's would be;
    InvalidRequest, changing nothing, otherwise."""
    principal = jobs.principal_by_id(principal_id)
    spec = template_spec(template_id)
    if principal.template_id != spec.id:
        raise InvalidRequest(f"the application instance {principal_id} is of template {principal.template_id!r}")
    if document.get("id", spec.id) != spec.id:
        raise InvalidRequest(f"the template's id is {spec.id!r}; it cannot be changed to {document.get('id')!r}")
    try:
        template = SynchronizationTemplate.model_validate({**document, "id": spec.id})
    except ValidationError as error:
        raise InvalidRequest("the body is not a valid synchronizationTemplate", validation_problems(error)) from None
    if template.schema_ is not None:
        template.schema_ = checked_schema(template.schema_, spec.build_schema())
    jobs.save_template_override(principal_id, template.model_dump(mode="json"))
    return template


def initial_schema(jobs: JobRepository, principal_id: str | None, spec: TemplateSpec) -> SynchronizationSchema:
    """The schema a new job of the instance starts with: its template's, overridden or built in."""
    template = template_of(jobs, principal_id, spec.id)
    return template.schema_ if template.schema_ is not None else spec.build_schema()
