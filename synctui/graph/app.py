"""Graph's synchronization API at Graph's URLs, as an ASGI app over the service.

Every route is a thin translation: Graph's path, query and body in, one service call, Graph's
status, headers and JSON out. The same routes answer under `/v1.0/` and `/beta/` (the resources
are the same in both, spec §6). Authentication is a bearer token (token.py); a failure at any
step is Graph's error body (errors.py).
"""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import orjson
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from ..errors import InvalidRequest, NotFound, SynctuiError, validation_problems
from ..expressions import function_catalogue
from ..models import ParseExpressionRequest, SynchronizationJobRestartCriteria, SynchronizationSecretKeyStringValuePair
from ..models.on_demand import ProvisionOnDemandRequest
from ..service import ServicePrincipal, SyncService
from . import odata
from .errors import GraphRequestError, error_body, status_of

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Graph refuses request bodies past 4 MB."""

LOG_PAGE = 50
"""Provisioning log entries per page when `$top` is not given."""

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Call:
    """One request as a route sees it: the path's parameters, the query, the body, and the base
    URL of the API version it came in on (`http://127.0.0.1:8770/v1.0`)."""

    params: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    content_type: str
    base: str
    version: str

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as error:
            raise GraphRequestError("BadRequest", f"the request body is not valid JSON: {error}") from None

    def model(self, model: type[M]) -> M:
        try:
            return model.model_validate(self.json())
        except ValidationError as error:
            raise InvalidRequest(
                f"the request body is not a valid {model.__name__}", validation_problems(error)
            ) from None


Handler = Callable[[SyncService, Call], Response]


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status, headers, media_type="application/json")


def no_content() -> Response:
    return Response(status_code=204)


def graph(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def entity(context: str, data: dict[str, Any], call: Call) -> Response:
    return json_response({"@odata.context": f"{call.base}/$metadata#{context}", **odata.selected(data, call.query)})


def collection(context: str, items: list[dict[str, Any]], call: Call) -> Response:
    limit = odata.top(call.query)
    page = items[:limit] if limit is not None else items
    return json_response(
        {"@odata.context": f"{call.base}/$metadata#{context}", "value": [odata.selected(i, call.query) for i in page]}
    )


# --- application instances and jobs -----------------------------------------------------------------


def _instance(service: SyncService, principal_id: str) -> tuple[ServicePrincipal, list[str]]:
    for principal, job_ids in service.application_instances():
        if principal.id == principal_id:
            return principal, job_ids
    raise NotFound(f"no servicePrincipal with id {principal_id!r}; GET /servicePrincipals lists them")


def _job_id(service: SyncService, call: Call) -> str:
    """The path's job, NotFound unless it is one of the path's service principal."""
    job_id, principal_id = call.params["job"], call.params["sp"]
    try:
        if service.application_instance_of(job_id) == principal_id:
            return job_id
    except NotFound:
        pass
    _instance(service, principal_id)  # an unknown principal is named as such
    raise NotFound(f"the servicePrincipal {principal_id} has no job {job_id!r}")


def _service_principal(principal: ServicePrincipal, job_ids: list[str]) -> dict[str, Any]:
    return {
        "id": principal.id,
        "appId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"synctui:{principal.id}")),
        "displayName": principal.display_name or job_ids[0],
        "servicePrincipalType": "Application",
        "appRoles": principal.app_roles,
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
        "preferredSingleSignOnMode": None,
    }


def list_service_principals(service: SyncService, call: Call) -> Response:
    items = [_service_principal(p, ids) for p, ids in service.application_instances()]
    return collection("servicePrincipals", items, call)


def get_service_principal(service: SyncService, call: Call) -> Response:
    return entity("servicePrincipals/$entity", _service_principal(*_instance(service, call.params["sp"])), call)


def _jobs_context(call: Call) -> str:
    return f"servicePrincipals('{call.params['sp']}')/synchronization/jobs"


def list_jobs(service: SyncService, call: Call) -> Response:
    _, job_ids = _instance(service, call.params["sp"])
    return collection(_jobs_context(call), [graph(service.get_job(job_id)) for job_id in job_ids], call)


def create_job(service: SyncService, call: Call) -> Response:
    body = call.json()
    template_id = body.get("templateId") if isinstance(body, dict) else None
    if not isinstance(template_id, str) or not template_id:
        raise InvalidRequest('the request body needs a templateId, like {"templateId": "scim"}')
    job = service.create_job(template_id, service_principal_id=call.params["sp"])
    location = f"{call.base}/servicePrincipals/{call.params['sp']}/synchronization/jobs/{job.id}"
    context = f"{call.base}/$metadata#{_jobs_context(call)}/$entity"
    return json_response({"@odata.context": context, **graph(job)}, 201, {"Location": location})


def get_job(service: SyncService, call: Call) -> Response:
    return entity(f"{_jobs_context(call)}/$entity", graph(service.get_job(_job_id(service, call))), call)


def delete_job(service: SyncService, call: Call) -> Response:
    service.delete_job(_job_id(service, call))
    return no_content()


def start_job(service: SyncService, call: Call) -> Response:
    service.start_job(_job_id(service, call))
    return no_content()


def pause_job(service: SyncService, call: Call) -> Response:
    service.pause_job(_job_id(service, call))
    return no_content()


def restart_job(service: SyncService, call: Call) -> Response:
    job_id = _job_id(service, call)
    body = call.json()
    criteria = body.get("criteria") if isinstance(body, dict) else None
    scope = SynchronizationJobRestartCriteria.model_validate(criteria).reset_scope if criteria else None
    service.restart_job(job_id, scope)
    return no_content()


def validate_credentials(service: SyncService, call: Call) -> Response:
    job_id = _job_id(service, call)
    body = call.json()
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    credentials = None
    if not body.get("useSavedCredentials") and body.get("credentials"):
        credentials = _pairs(body["credentials"], "credentials")
    service.validate_credentials(job_id, credentials)
    return no_content()


def validate_template_credentials(service: SyncService, call: Call) -> Response:
    """`POST …/jobs/validateCredentials`: test credentials for a template before any job exists."""
    body = call.json()
    template_id = body.get("templateId") if isinstance(body, dict) else None
    if not isinstance(template_id, str) or not template_id:
        raise InvalidRequest(
            'the request body needs a templateId and credentials: {"templateId": "…", "credentials": […]}'
        )
    service.validate_template_credentials(template_id, _pairs(body.get("credentials", []), "credentials"))
    return no_content()


def provision_on_demand(service: SyncService, call: Call) -> Response:
    job_id = _job_id(service, call)
    request = call.model(ProvisionOnDemandRequest)
    subjects = [subject for parameter in request.parameters for subject in parameter.subjects]
    if len(subjects) != 1:
        raise InvalidRequest(
            f"provisionOnDemand takes one subject here (it has {len(subjects)}): "
            '{"parameters": [{"ruleId": "…", "subjects": [{"objectId": "…", "objectTypeName": "User"}]}]}'
        )
    result = service.provision_on_demand(job_id, subjects[0].object_id, subjects[0].object_type_name)
    return entity("microsoft.graph.stringKeyStringValuePair", graph(result), call)


def bulk_upload(service: SyncService, call: Call) -> Response:
    job_id = _job_id(service, call)
    service.bulk_upload(job_id, call.body, call.content_type)
    logs = f"{call.base}/auditLogs/provisioning?$filter=" + quote(f"jobId eq '{job_id}'")
    return Response(status_code=202, headers={"Location": logs})


# --- schemas -----------------------------------------------------------------------------------------


def _schema_context(call: Call) -> str:
    return f"{_jobs_context(call)}('{call.params['job']}')/schema/$entity"


def get_schema(service: SyncService, call: Call) -> Response:
    return entity(_schema_context(call), graph(service.get_schema(_job_id(service, call))), call)


def put_schema(service: SyncService, call: Call) -> Response:
    job_id = _job_id(service, call)
    body = call.json()
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a synchronizationSchema (a JSON object)")
    service.put_schema(job_id, {key: value for key, value in body.items() if not key.startswith("@odata.")})
    return no_content()


def discover(service: SyncService, call: Call) -> Response:
    job_id = _job_id(service, call)
    directories = [directory.id for directory in service.get_schema(job_id).directories]
    if call.params["directory"] not in directories:
        raise NotFound(
            f"the schema has no directory {call.params['directory']!r}; it has {', '.join(map(str, directories))}"
        )
    return entity("microsoft.graph.directoryDefinition", graph(service.discover_directory(job_id)), call)


def functions(service: SyncService, call: Call) -> Response:
    _schema_owner(service, call)
    items = [graph(function) for function in function_catalogue()]
    return collection("Collection(microsoft.graph.attributeMappingFunctionSchema)", items, call)


def filter_operators(service: SyncService, call: Call) -> Response:
    _schema_owner(service, call)
    items = [graph(operator) for operator in service.filter_operators()]
    return collection("Collection(microsoft.graph.filterOperatorSchema)", items, call)


def parse_expression(service: SyncService, call: Call) -> Response:
    _schema_owner(service, call)
    request = call.model(ParseExpressionRequest)
    test_input = None
    if request.test_input_object is not None:
        test_input = {pair.key: pair.value for pair in request.test_input_object.properties if pair.key}
    result = service.parse_expression(request.expression, test_input)
    return entity("microsoft.graph.parseExpressionResponse", graph(result), call)


def _schema_owner(service: SyncService, call: Call) -> None:
    """The schema helpers answer under a job's schema and under a template's: either must exist."""
    if "job" in call.params:
        _job_id(service, call)
    else:
        _template_id(service, call)


# --- secrets and templates ------------------------------------------------------------------------------


def _pairs(items: Any, what: str) -> dict[str, str]:
    if not isinstance(items, list):
        raise InvalidRequest(f'{what} must be a list of {{"key": …, "value": …}} pairs')
    try:
        pairs = [SynchronizationSecretKeyStringValuePair.model_validate(item) for item in items]
    except ValidationError as error:
        raise InvalidRequest(f"{what} holds a pair that is not a key and a value", validation_problems(error)) from None
    return {str(pair.key): pair.value or "" for pair in pairs}


def put_secrets(service: SyncService, call: Call) -> Response:
    _, job_ids = _instance(service, call.params["sp"])
    body = call.json()
    items = body.get("value", body.get("credentials")) if isinstance(body, dict) else None
    if items is None:
        raise InvalidRequest('the request body needs the secrets as {"value": [{"key": "…", "value": "…"}]}')
    # The secrets belong to the application instance: saving them through any of its jobs saves them for all.
    service.put_secrets(job_ids[0], _pairs(items, "value"))
    return no_content()


def _template_id(service: SyncService, call: Call) -> str:
    principal, _ = _instance(service, call.params["sp"])
    if call.params["template"] != principal.template_id:
        raise NotFound(
            f"the servicePrincipal {principal.id} has no template {call.params['template']!r}; "
            f"its template is {principal.template_id!r}"
        )
    return str(principal.template_id)


def _templates_context(call: Call) -> str:
    return f"servicePrincipals('{call.params['sp']}')/synchronization/templates"


def list_templates(service: SyncService, call: Call) -> Response:
    principal, _ = _instance(service, call.params["sp"])
    items = [graph(service.get_template(str(principal.template_id), principal.id))]
    return collection(_templates_context(call), items, call)


def get_template(service: SyncService, call: Call) -> Response:
    template = service.get_template(_template_id(service, call), call.params["sp"])
    return entity(f"{_templates_context(call)}/$entity", graph(template), call)


def update_template(service: SyncService, call: Call) -> Response:
    body = call.json()
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a synchronizationTemplate (a JSON object)")
    document = {key: value for key, value in body.items() if not key.startswith("@odata.")}
    service.override_template(call.params["sp"], _template_id(service, call), document)
    return no_content()


def get_template_schema(service: SyncService, call: Call) -> Response:
    template = service.get_template(_template_id(service, call), call.params["sp"])
    context = f"{_templates_context(call)}('{call.params['template']}')/schema/$entity"
    return entity(context, graph(template.schema_) if template.schema_ else {}, call)


# --- provisioning logs -------------------------------------------------------------------------------------


def provisioning_logs(service: SyncService, call: Call) -> Response:
    matches = odata.log_filter(call.query.get("$filter"))
    job_ids = [matches.job_id] if matches.job_id else [job.id for job in service.list_jobs() if job.id]
    entries: list[dict[str, Any]] = []
    for job_id in job_ids:
        try:
            entries += [entry for entry in service.logs(job_id) if matches(entry)]
        except NotFound:
            continue  # a jobId that names no job has no entries, as in Graph
    entries.sort(key=lambda entry: entry.get("activityDateTime", ""), reverse=True)
    start, size = odata.skip(call.query), odata.top(call.query, LOG_PAGE) or LOG_PAGE
    shown = [odata.selected(_log_entry(entry, call.version), call.query) for entry in entries[start : start + size]]
    page: dict[str, Any] = {"@odata.context": f"{call.base}/$metadata#auditLogs/provisioning", "value": shown}
    if start + size < len(entries):
        query = {key: value for key, value in call.query.items() if key != "$skiptoken"}
        page["@odata.nextLink"] = f"{call.base}/auditLogs/provisioning?" + urlencode(
            {**query, "$top": size, "$skiptoken": start + size}, quote_via=quote, safe="$'"
        )
    return json_response(page)


def _log_entry(entry: dict[str, Any], version: str) -> dict[str, Any]:
    """A log entry as the version names it: v1.0 calls the outcome `provisioningStatusInfo`, with
    the error under `errorInformation`; beta calls it `statusInfo`, as synctui stores it."""
    if version != "v1.0":
        return entry
    shown = {key: value for key, value in entry.items() if key != "statusInfo"}
    status = entry.get("statusInfo") or {}
    error = {key: status.get(key) for key in ("errorCode", "reason", "additionalDetails", "recommendedAction")}
    shown["provisioningStatusInfo"] = {
        "status": status.get("status"),
        "errorInformation": error if status.get("errorCode") else None,
    }
    return shown


# --- the app ------------------------------------------------------------------------------------------------

SYNC = "/servicePrincipals/{sp}/synchronization"
JOB = SYNC + "/jobs/{job}"
TEMPLATE = SYNC + "/templates/{template}"

ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/servicePrincipals", list_service_principals),
    ("GET", "/servicePrincipals/{sp}", get_service_principal),
    ("GET", SYNC + "/jobs", list_jobs),
    ("POST", SYNC + "/jobs", create_job),
    ("POST", SYNC + "/jobs/validateCredentials", validate_template_credentials),
    ("GET", JOB, get_job),
    ("DELETE", JOB, delete_job),
    ("POST", JOB + "/start", start_job),
    ("POST", JOB + "/pause", pause_job),
    ("POST", JOB + "/restart", restart_job),
    ("POST", JOB + "/validateCredentials", validate_credentials),
    ("POST", JOB + "/provisionOnDemand", provision_on_demand),
    ("POST", JOB + "/bulkUpload", bulk_upload),
    ("GET", JOB + "/schema", get_schema),
    ("PUT", JOB + "/schema", put_schema),
    # msgraph-sdk sends PATCH for the schema's update; Graph's documentation says PUT. Both replace it.
    ("PATCH", JOB + "/schema", put_schema),
    ("POST", JOB + "/schema/directories/{directory}/discover", discover),
    ("PUT", SYNC + "/secrets", put_secrets),
    ("GET", SYNC + "/templates", list_templates),
    ("GET", TEMPLATE, get_template),
    # Graph's documentation names the method PATCH and shows PUT in its example: both replace the template.
    ("PATCH", TEMPLATE, update_template),
    ("PUT", TEMPLATE, update_template),
    ("GET", TEMPLATE + "/schema", get_template_schema),
    ("GET", "/auditLogs/provisioning", provisioning_logs),
]
for _owner in (JOB, TEMPLATE):
    ROUTES += [
        ("GET", _owner + "/schema/functions", functions),
        ("GET", _owner + "/schema/filterOperators", filter_operators),
        ("POST", _owner + "/schema/parseExpression", parse_expression),
    ]

VERSIONS = ("v1.0", "beta")


def graph_app(service: SyncService, token: str) -> Starlette:
    """The ASGI app serving `service` to clients that send `token`."""

    def error_response(error: SynctuiError, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        body = error_body(error, service.clock.now(), request_id, request.headers.get("client-request-id"))
        headers = {"request-id": request_id}
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return json_response(body, status_of(error), headers)

    def authenticated(request: Request) -> None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not presented:
            raise GraphRequestError(
                "InvalidAuthenticationToken", "Access token is empty: send Authorization: Bearer <token>"
            )
        if not hmac.compare_digest(presented.strip().encode(), token.encode()):
            raise GraphRequestError(
                "InvalidAuthenticationToken",
                "Access token validation failure: the token is not this server's; `synctui graph token` shows it",
            )

    async def body_of(request: Request) -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise GraphRequestError("RequestEntityTooLarge", f"the request body is over {MAX_BODY_BYTES:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def route(version: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                authenticated(request)
                call = Call(
                    params=request.path_params,
                    query=request.query_params,
                    body=await body_of(request),
                    content_type=request.headers.get("content-type", ""),
                    base=f"{str(request.base_url).rstrip('/')}/{version}",
                    version=version,
                )
                response = await run_in_threadpool(handler, service, call)
            except SynctuiError as error:
                return error_response(error, request)
            except Exception:
                log.exception("%s %s failed", request.method, request.url.path)
                failure = GraphRequestError("InternalServerError", "synctui failed to answer; its log has the details")
                return error_response(failure, request)
            response.headers["request-id"] = str(uuid.uuid4())
            if "client-request-id" in request.headers:
                response.headers["client-request-id"] = request.headers["client-request-id"]
            return response

        return endpoint

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 405:
            error = GraphRequestError("MethodNotAllowed", f"{request.method} is not supported on {request.url.path}")
        else:
            error = GraphRequestError("ResourceNotFound", f"Resource not found for the segment in {request.url.path}")
        return error_response(error, request)

    routes: list[BaseRoute] = [
        Mount(
            f"/{version}",
            routes=[Route(path, route(version, handler), methods=[verb]) for verb, path, handler in ROUTES],
        )
        for version in VERSIONS
    ]
    return Starlette(routes=routes, exception_handlers={404: http_error, 405: http_error})
