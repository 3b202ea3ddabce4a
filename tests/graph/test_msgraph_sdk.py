"""Microsoft's msgraph-sdk as the client: pointed at the local endpoint with the local token, its
requests and its models work unchanged — the proof that a Graph script runs against synctui."""

from __future__ import annotations

import json

import pytest
from kiota_abstractions.authentication import ApiKeyAuthenticationProvider, KeyLocation
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.audit_logs.provisioning.provisioning_request_builder import ProvisioningRequestBuilder
from msgraph.generated.models.expression_input_object import ExpressionInputObject
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.string_key_object_value_pair import StringKeyObjectValuePair
from msgraph.generated.models.synchronization_job import SynchronizationJob
from msgraph.generated.models.synchronization_job_application_parameters import (
    SynchronizationJobApplicationParameters,
)
from msgraph.generated.models.synchronization_job_subject import SynchronizationJobSubject
from msgraph.generated.models.synchronization_schedule_state import SynchronizationScheduleState
from msgraph.generated.models.synchronization_status_code import SynchronizationStatusCode
from msgraph.generated.service_principals.item.synchronization.jobs.item.provision_on_demand.provision_on_demand_post_request_body import (  # noqa: E501
    ProvisionOnDemandPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.schema.parse_expression.parse_expression_post_request_body import (  # noqa: E501
    ParseExpressionPostRequestBody,
)

from synctui.graph import GraphServer
from synctui.service import SyncService

from .conftest import TOKEN


@pytest.fixture
def client(server: GraphServer) -> GraphServiceClient:
    # Only the base URL and the token differ from a client of Entra.
    adapter = GraphRequestAdapter(ApiKeyAuthenticationProvider(KeyLocation.Header, f"Bearer {TOKEN}", "Authorization"))
    adapter.base_url = server.url
    return GraphServiceClient(request_adapter=adapter)


async def test_the_sdk_drives_a_job_through_its_life(
    client: GraphServiceClient, service: SyncService, json_job: tuple[str, str]
) -> None:
    principal_id, _ = json_job
    principals = await client.service_principals.get()
    assert principals is not None and principal_id in {p.id for p in principals.value or []}
    synchronization = client.service_principals.by_service_principal_id(principal_id).synchronization

    created = await synchronization.jobs.post(SynchronizationJob(template_id="jsonfile"))
    assert created is not None and created.id and created.template_id == "jsonfile"
    assert created.schedule is not None and created.schedule.state == SynchronizationScheduleState.Disabled
    listed = await synchronization.jobs.get()
    assert listed is not None and created.id in {job.id for job in listed.value or []}
    job = synchronization.jobs.by_synchronization_job_id(created.id)

    await job.start.post()
    started = await job.get()
    assert started is not None and started.schedule is not None and started.status is not None
    assert started.schedule.state == SynchronizationScheduleState.Active
    assert started.status.code == SynchronizationStatusCode.NotRun
    assert started.schedule.interval is not None and started.schedule.interval.total_seconds() == 40 * 60

    await job.pause.post()
    paused = await job.get()
    assert paused is not None and paused.status is not None and paused.status.code == SynchronizationStatusCode.Paused

    await job.delete()
    with pytest.raises(ODataError) as missing:
        await job.get()
    assert missing.value.response_status_code == 404
    assert missing.value.error is not None and missing.value.error.code == "Request_ResourceNotFound"
    assert missing.value.error.inner_error is not None and missing.value.error.inner_error.request_id
    assert created.id not in {job.id for job in service.list_jobs()}


async def test_the_sdk_gets_and_puts_the_schema(client: GraphServiceClient, json_job: tuple[str, str]) -> None:
    principal_id, job_id = json_job
    schema_builder = client.service_principals.by_service_principal_id(principal_id).synchronization.jobs
    schema_builder_of_job = schema_builder.by_synchronization_job_id(job_id).schema

    schema = await schema_builder_of_job.get()
    assert schema is not None and schema.version == "1" and len(schema.directories or []) == 2
    rule = (schema.synchronization_rules or [])[0]
    mapping = (rule.object_mappings or [])[0]
    assert mapping.source_object_name == "User" and mapping.attribute_mappings
    assert mapping.attribute_mappings[0].source is not None and mapping.attribute_mappings[0].source.expression

    await schema_builder_of_job.patch(schema)  # the SDK's update of the schema (Graph's docs: PUT)

    again = await schema_builder_of_job.get()
    assert again is not None and again.version == "2"
    assert [
        m.target_attribute_name for m in (again.synchronization_rules or [])[0].object_mappings[0].attribute_mappings
    ] == [  # type: ignore[index, union-attr]
        m.target_attribute_name for m in mapping.attribute_mappings
    ]


async def test_the_sdk_parses_an_expression(client: GraphServiceClient, json_job: tuple[str, str]) -> None:
    principal_id, job_id = json_job
    schema = (
        client.service_principals.by_service_principal_id(principal_id)
        .synchronization.jobs.by_synchronization_job_id(job_id)
        .schema
    )
    body = ParseExpressionPostRequestBody(
        expression='Join(" ", [givenName], [surname])',
        test_input_object=ExpressionInputObject(
            properties=[
                StringKeyObjectValuePair(key="givenName", additional_data={"value": "Zoë"}),
                StringKeyObjectValuePair(key="surname", additional_data={"value": "Ng"}),
            ]
        ),
    )
    result = await schema.parse_expression.post(body)
    assert result is not None and result.parsing_succeeded and result.evaluation_succeeded
    assert result.evaluation_result == ["Zoë Ng"]
    assert result.parsed_expression is not None and result.parsed_expression.name == "Join"


async def test_the_sdk_provisions_on_demand_and_reads_the_provisioning_logs(
    client: GraphServiceClient, service: SyncService, json_job: tuple[str, str]
) -> None:
    principal_id, job_id = json_job
    tenant = json.loads(service.home.tenant_file.read_text(encoding="utf-8"))
    user = tenant["users"][0]
    job = client.service_principals.by_service_principal_id(
        principal_id
    ).synchronization.jobs.by_synchronization_job_id(job_id)
    rule_id = service.get_schema(job_id).synchronization_rules[0].id
    body = ProvisionOnDemandPostRequestBody(
        parameters=[
            SynchronizationJobApplicationParameters(
                rule_id=rule_id, subjects=[SynchronizationJobSubject(object_id=user["id"], object_type_name="User")]
            )
        ]
    )
    result = await job.provision_on_demand.post(body)
    assert result is not None and json.loads(result.key or "{}")["result"] == "Success"
    assert json.loads(result.value or "{}")["sourceIdentity"]["id"] == user["id"]

    service.run_cycle(job_id)
    query = ProvisioningRequestBuilder.ProvisioningRequestBuilderGetQueryParameters(
        top=5,
        filter=f"jobId eq '{job_id}' and provisioningAction eq 'create' and provisioningStatusInfo/status eq 'success'",
    )
    page = await client.audit_logs.provisioning.get(RequestConfiguration(query_parameters=query))
    assert page is not None and len(page.value or []) == 5 and page.odata_next_link
    for entry in page.value or []:
        assert entry.job_id == job_id and entry.activity_date_time is not None
        assert entry.provisioning_action is not None and entry.provisioning_action.value == "create"
        assert entry.provisioning_status_info is not None and entry.provisioning_status_info.status is not None
        assert entry.provisioning_status_info.status.value == "success"
        assert entry.source_identity is not None and entry.source_identity.id
    following = await client.audit_logs.provisioning.with_url(page.odata_next_link).get()
    assert following is not None and following.value
    assert not {e.id for e in following.value} & {e.id for e in page.value or []}
