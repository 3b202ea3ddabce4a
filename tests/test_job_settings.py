"""Each template's declared settings and secrets: checked at create, update and secrets put (nothing
stored on a refusal), read typed by a cycle, and a value stored before it was checked fails the job's
cycle (recorded, backed off) instead of the scheduler."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest

from synctui.clock import FrozenClock
from synctui.models import AttributeMappingSource
from synctui.models import SynchronizationStatusCode as Code
from synctui.scheduler import Scheduler
from synctui.service import InvalidRequest, ServiceError, SyncService
from synctui.template_settings import INTERVAL_MAX
from synctui.templates import TEMPLATES


def _config(service: SyncService) -> bytes:
    return service.home.config_file.read_bytes()


def _jsonfile_job(service: SyncService, tmp_path: Path, **kwargs) -> str:
    job = service.create_job("jsonfile", secrets={"ConnectionString": str(tmp_path / "target.json")}, **kwargs)
    return job.id or ""


def _store_setting(service: SyncService, job_id: str, name: str, value: str) -> None:
    """A value saved before synctui checked it (an older version, an edited file): straight into the store."""
    record = service.config.job(job_id)
    record["job"]["synchronizationJobSettings"].append({"name": name, "value": value})
    service.config.save_job(record)


def _store_secret(service: SyncService, job_id: str, name: str, value: str) -> None:
    principal = service.config.service_principal(service.config.job(job_id)["servicePrincipalId"])
    principal["secrets"] = [*principal.get("secrets", []), {"key": name, "value": value}]
    service.config.save_service_principal(principal)


def _store_interval(service: SyncService, job_id: str, interval: str) -> None:
    record = service.config.job(job_id)
    record["job"]["schedule"]["interval"] = interval
    service.config.save_job(record)


@pytest.mark.parametrize(
    "spec",
    [spec for template in TEMPLATES.values() for spec in template.settings.declared if spec.default is not None],
    ids=lambda spec: spec.name,
)
def test_every_declared_default_is_a_value_its_declaration_accepts(spec) -> None:
    text = json.dumps(spec.default) if isinstance(spec.default, (bool, dict)) else str(spec.default)
    assert spec.parse(text) == spec.default and spec.meaning


def test_every_template_declares_each_setting_it_reads() -> None:
    common = {
        "QuarantineTooManyDeletesThreshold",
        "QuarantineEscrowBaseThreshold",
        "CheckpointSeconds",
        "TraceRequests",
        "SkipOutOfScopeDeletions",
        "SyncNotificationSettings",
    }
    for template in TEMPLATES.values():
        assert common <= {spec.name for spec in template.settings.declared}, template.id
    # The templates that read a file or the tenant as their source; apiInbound reads its staged payloads.
    for template_id in ("jsonfile", "scim", "csvInbound"):
        assert "SourcePath" in {spec.name for spec in TEMPLATES[template_id].settings.declared}
    scim = {spec.name for spec in TEMPLATES["scim"].settings.declared}
    assert {"ScimRequestTimeoutSeconds", "ScimMaxResponseBytes", "AllowInsecureHttp", "BaseAddress"} <= scim


# --- refused before anything is stored ---------------------------------------------------------------

BAD_SETTINGS = [
    (
        {"ScimMaxParallelRequests": "abc"},
        "setting ScimMaxParallelRequests must be a whole number from 1 to 64, not 'abc'",
    ),
    ({"ScimMaxParallelRequests": "0"}, "setting ScimMaxParallelRequests must be a whole number from 1 to 64, not '0'"),
    ({"ScimRequestStyle": "bogus"}, "setting ScimRequestStyle must be one of aadOptscim062020, legacy, not 'bogus'"),
    ({"ScimManagerShape": "bogus"}, "setting ScimManagerShape must be one of string, object, not 'bogus'"),
    ({"QuarantineTooManyDeletesThreshold": "abc"}, "setting QuarantineTooManyDeletesThreshold must be a whole number"),
    (
        {"QuarantineEscrowProportionThreshold": "1.5"},
        "setting QuarantineEscrowProportionThreshold must be a number from 0 to 1, not '1.5'",
    ),
    ({"CheckpointSeconds": "nan"}, "setting CheckpointSeconds must be a number"),
    ({"TraceRequests": "yes"}, "setting TraceRequests must be true or false, not 'yes'"),
    ({"ScimRequestTimeoutSeconds": "0.5"}, "setting ScimRequestTimeoutSeconds must be a number from 1 to 600"),
    (
        {"ScimMaxResponseBytes": "1000"},
        "setting ScimMaxResponseBytes must be a whole number from 1,000,000 to 1,000,000,000, not '1000'",
    ),
    ({"Foo": "bar"}, "unknown setting 'Foo' for a scim job; its settings are: SourcePath, ScimRequestStyle"),
    ({"BaseAddress": "https://scim.example/v2"}, "BaseAddress is a secret of scim jobs, not a setting"),
]

BAD_SECRETS = [
    (
        {"BaseAddress": "https://scim.example/v2?tenant=1"},
        "secret BaseAddress must be an http:// or https:// URL without a query or fragment",
    ),
    ({"BaseAddress": "scim.example/v2"}, "secret BaseAddress must be an http:// or https:// URL"),
    ({"SecretToken": "caf\u00e9"}, "secret SecretToken must be printable ASCII without spaces or line breaks"),
    ({"SecretToken": "abc\r\nX-Injected: 1"}, "secret SecretToken must be printable ASCII"),
    ({"SecretToken": "\udcff\udcfe"}, "secret SecretToken is not valid UTF-8 text"),  # argv's surrogate escapes
    ({"SyncNotificationSettings": "[1]"}, "secret SyncNotificationSettings must be a JSON object"),
    (
        {"SyncNotificationSettings": '{"Recipients": "admin at contoso"}'},
        "secret SyncNotificationSettings must be a JSON object, like",
    ),
    ({"SyncNotificationSettings": '{"Enabled": true}'}, "secret SyncNotificationSettings must be a JSON object"),
    ({"SyncNotificationSettings": '{"DeleteThresholdEnabled": "no"}'}, "secret SyncNotificationSettings must be"),
    ({"SourcePath": "/data/tenant.json"}, "SourcePath is a setting of scim jobs, not a secret"),
    ({"Foo": "bar"}, "unknown secret 'Foo' for a scim job; its secrets are: BaseAddress, SecretToken"),
]


@pytest.mark.parametrize(("settings", "message"), BAD_SETTINGS)
def test_create_refuses_a_bad_setting_and_stores_nothing(service: SyncService, settings, message) -> None:
    before = _config(service)
    with pytest.raises(InvalidRequest, match="^" + re.escape(message)):
        service.create_job("scim", settings=settings)
    assert _config(service) == before


@pytest.mark.parametrize(("secrets", "message"), BAD_SECRETS)
def test_create_refuses_a_bad_secret_and_stores_nothing(service: SyncService, secrets, message) -> None:
    before = _config(service)
    with pytest.raises(InvalidRequest, match="^" + re.escape(message)) as raised:
        service.create_job("scim", secrets=secrets)
    assert _config(service) == before
    assert "X-Injected" not in str(raised.value) and "caf" not in str(raised.value)  # secrets are not echoed


@pytest.mark.parametrize(("secrets", "message"), BAD_SECRETS)
def test_secrets_put_refuses_a_bad_secret_and_changes_nothing(service: SyncService, secrets, message) -> None:
    job = service.create_job("scim", secrets={"BaseAddress": "http://127.0.0.1:9/scim"})
    before = _config(service)
    with pytest.raises(InvalidRequest, match="^" + re.escape(message)):
        service.put_secrets(job.id, secrets)
    assert _config(service) == before


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('{"Recipients": "admin at contoso"}', "Recipients: 'admin at contoso' is not an e-mail address"),
        ('{"Enabled": true}', "Enabled (e-mail on failure) needs an address in Recipients"),
        ('{"DeleteThresholdEnabled": "no"}', "DeleteThresholdEnabled must be true or false"),
    ],
)
def test_notification_settings_are_checked_in_entras_shape(service: SyncService, value: str, problem: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        service.create_job("jsonfile", secrets={"SyncNotificationSettings": value})
    assert str(raised.value).endswith(problem)


def test_readable_secrets_are_the_configuration_never_a_credential(service: SyncService) -> None:
    notifications = '{"Enabled":true,"Recipients":"ops@contoso.example","DeleteThresholdEnabled":false}'
    job = service.create_job(
        "scim",
        secrets={
            "BaseAddress": "http://127.0.0.1:9/scim",
            "SecretToken": "t0k3n",
            "syncnotificationsettings": notifications,
            "SkipOutOfScopeDeletions": "true",
        },
    )
    assert service.readable_secrets(job.id) == {
        "SyncNotificationSettings": notifications,
        "SkipOutOfScopeDeletions": "true",
        "SyncAll": "false",  # the scope a new scim job starts with
    }


def test_secrets_put_of_a_setting_points_to_jobs_update(service: SyncService) -> None:
    job = service.create_job("csvInbound")
    with pytest.raises(InvalidRequest) as raised:
        service.put_secrets(job.id, {"SourcePath": "/data/hr.csv"})
    assert str(raised.value) == (
        f"SourcePath is a setting of csvInbound jobs, not a secret; set it with "
        f"`synctui jobs update {job.id} --setting SourcePath=VALUE`"
    )


@pytest.mark.parametrize("interval", ["P3000000D", "PT99999999999H", "P366D", "PT0.5S", "PT0S"])
def test_an_interval_out_of_range_is_refused(service: SyncService, tmp_path: Path, interval: str) -> None:
    before = _config(service)
    with pytest.raises(InvalidRequest, match=r"^bad interval.*an interval runs from PT1S to P365D, one year"):
        _jsonfile_job(service, tmp_path, interval=interval)
    assert _config(service) == before


def test_the_longest_interval_is_a_year(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path, interval="P365D")
    assert service.get_job(job_id).schedule.interval == INTERVAL_MAX == timedelta(days=365)


# --- update ------------------------------------------------------------------------------------------


def test_update_changes_name_interval_and_settings(service: SyncService) -> None:
    job = service.create_job("scim", name="before", settings={"ScimMaxParallelRequests": "8", "TraceRequests": "true"})
    updated = service.update_job(
        job.id,
        name="after",
        interval="PT5M",
        settings={"scimmaxparallelrequests": "16", "TraceRequests": None, "ScimManagerShape": "object"},
    )
    assert updated.schedule.interval == timedelta(minutes=5)
    settings = {pair.name: pair.value for pair in updated.synchronization_job_settings}
    # Names compare case-insensitively, as Graph's do, and keep the declared spelling.
    assert settings == {
        "QuarantineTooManyDeletesThreshold": "500",
        "ScimMaxParallelRequests": "16",
        "ScimManagerShape": "object",
    }
    assert service.job_summary(job.id).name == "after"


def test_update_is_all_or_nothing(service: SyncService) -> None:
    job = service.create_job("scim", name="before")
    before = _config(service)
    with pytest.raises(InvalidRequest, match="ScimMaxParallelRequests"):
        service.update_job(
            job.id,
            name="after",
            interval="PT5M",
            settings={"ScimManagerShape": "object", "ScimMaxParallelRequests": "abc"},
        )
    with pytest.raises(InvalidRequest, match="bad interval"):
        service.update_job(job.id, name="after", interval="P3000000D", settings={"ScimManagerShape": "object"})
    assert _config(service) == before


def test_update_sets_a_missing_required_setting(service: SyncService, tmp_path: Path) -> None:
    job = service.create_job("csvInbound")
    assert job.status.code == Code.NotConfigured
    hr = tmp_path / "hr.csv"
    hr.write_text("EmployeeId,FirstName,LastName\n1,Ada,Lovelace\n")
    assert service.update_job(job.id, settings={"SourcePath": str(hr)}).status.code == Code.NotRun


def test_a_setting_left_by_an_older_version_can_be_removed(service: SyncService) -> None:
    job = service.create_job("scim")
    _store_setting(service, job.id, "LookaheadQueryEnabled", "False")
    with pytest.raises(InvalidRequest, match="unknown setting 'LookaheadQueryEnabled'"):
        service.update_job(job.id, settings={"LookaheadQueryEnabled": "True"})
    service.update_job(job.id, settings={"lookaheadqueryenabled": None})
    assert service.get_job(job.id).setting("LookaheadQueryEnabled") is None


# --- the token over plain http -----------------------------------------------------------------------


def test_http_to_another_host_is_refused_unless_allowed(service: SyncService) -> None:
    before = _config(service)
    with pytest.raises(InvalidRequest) as raised:
        service.create_job("scim", secrets={"BaseAddress": "http://admin:pw@scim.example/v2", "SecretToken": "t"})
    assert str(raised.value).startswith(
        "BaseAddress http://***@scim.example/v2 sends the token unencrypted; "
        "use https://, or set AllowInsecureHttp=true"
    )
    assert _config(service) == before
    job = service.create_job("scim", secrets={"BaseAddress": "https://scim.example/v2"})
    with pytest.raises(InvalidRequest, match="sends the token unencrypted"):
        service.put_secrets(job.id, {"BaseAddress": "http://scim.example/v2"})
    service.update_job(job.id, settings={"AllowInsecureHttp": "true"})
    service.put_secrets(job.id, {"BaseAddress": "http://scim.example/v2"})
    with pytest.raises(InvalidRequest, match="sends the token unencrypted"):
        service.update_job(job.id, settings={"AllowInsecureHttp": None})


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:8000/scim",
        "http://127.3.4.5/scim",
        "http://localhost/scim",
        "http://[::1]:8000/scim",
        "https://scim.example/v2",
    ],
)
def test_loopback_and_https_need_no_permission(service: SyncService, address: str) -> None:
    service.create_job("scim", secrets={"BaseAddress": address})


def test_an_insecure_address_stored_earlier_fails_the_cycle_before_any_request(service: SyncService) -> None:
    job = service.create_job("scim", secrets={"BaseAddress": "https://scim.example/v2"})
    service.start_job(job.id)
    _store_secret(service, job.id, "BaseAddress", "http://192.0.2.1/scim")  # TEST-NET: nothing answers there
    execution = service.run_cycle(job.id)
    assert execution.state.value == "Failed" and execution.error.code == "InvalidConfiguration"
    assert "sends the token unencrypted" in execution.error.message


# --- values stored before they were checked: the cycle fails, recorded, and backs off ----------------


def test_a_bad_stored_setting_records_a_failed_execution_and_backs_off(
    service: SyncService, clock: FrozenClock, tmp_path: Path
) -> None:
    for summary in service.job_summaries():
        service.pause_job(summary.job.id)
    job_id = _jsonfile_job(service, tmp_path, interval="PT10M")
    service.start_job(job_id)
    _store_setting(service, job_id, "CheckpointSeconds", "abc")
    scheduler = Scheduler(service, clock=clock)
    try:
        assert scheduler.tick() == [job_id]
        scheduler.wait_for_cycles()
        job = service.get_job(job_id)
        assert job.status.code == Code.Quarantine
        assert job.status.last_execution.state.value == "Failed"
        assert job.status.last_execution.error.message == (
            f"setting CheckpointSeconds must be a number from 0.01 to 3,600, not 'abc'; set it with "
            f"`synctui jobs update {job_id} --setting CheckpointSeconds=VALUE`"
        )
        clock.advance(timedelta(seconds=1))
        assert scheduler.tick() == []  # backed off, not retried at every tick
        assert not (tmp_path / "target.json").exists()
        service.update_job(job_id, settings={"CheckpointSeconds": "2"})
        clock.advance(job.status.quarantine.next_attempt - clock.now())
        assert scheduler.tick() == [job_id]
        scheduler.wait_for_cycles()
        assert service.get_job(job_id).status.last_execution.state.value == "Succeeded"
    finally:
        scheduler.stop()


def test_a_schema_that_no_longer_compiles_records_a_failed_execution(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    service.start_job(job_id)
    schema = service.get_schema(job_id)
    schema.synchronization_rules[0].object_mappings[0].attribute_mappings[1].source = AttributeMappingSource(
        type="Function", name="NoSuchFunction", parameters=[]
    )
    service.config.save_schema(job_id, schema.model_dump(mode="json"))
    execution = service.run_cycle(job_id)
    assert execution.state.value == "Failed" and "NoSuchFunction" in execution.error.message
    assert service.get_job(job_id).status.code == Code.Quarantine


def test_a_secret_removed_from_a_running_job_records_a_failed_execution(service: SyncService, tmp_path: Path) -> None:
    job_id = _jsonfile_job(service, tmp_path)
    service.start_job(job_id)
    service.run_cycle(job_id)
    service.put_secrets(job_id, {"ConnectionString": ""})
    execution = service.run_cycle(job_id)
    assert execution.state.value == "Failed" and "ConnectionString" in execution.error.message
    assert service.get_job(job_id).status.code == Code.Quarantine


@pytest.mark.parametrize(
    ("template", "command"),
    [
        ("jsonfile", "synctui secrets put {job} ConnectionString=VALUE"),
        ("scim", "synctui secrets put {job} BaseAddress=VALUE"),
        ("csvInbound", "synctui jobs update {job} --setting SourcePath=VALUE"),
    ],
)
def test_a_required_value_not_set_is_named_with_its_meaning_and_the_command_that_sets_it(
    service: SyncService, template: str, command: str
) -> None:
    job_id = service.create_job(template).id or ""
    name = command.split()[-1].split("=")[0]
    meaning = TEMPLATES[template].settings.find(name).meaning
    with pytest.raises(ServiceError) as error:
        service.preview(job_id)
    assert str(error.value).endswith(f"{name} ({meaning}) is not set; set it with `{command.format(job=job_id)}`")


def test_a_stored_interval_out_of_range_skips_that_job_only(
    service: SyncService, clock: FrozenClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for summary in service.job_summaries():
        service.pause_job(summary.job.id)
    broken = _jsonfile_job(service, tmp_path, interval="PT10M")
    service.start_job(broken)
    service.run_cycle(broken)
    _store_interval(service, broken, "P3000000D")  # its next run would be past year 9999
    healthy = service.create_job(
        "jsonfile", secrets={"ConnectionString": str(tmp_path / "other.json")}, interval="PT10M"
    ).id
    service.start_job(healthy)
    scheduler = Scheduler(service, clock=clock, tick_seconds=3600)
    try:
        with caplog.at_level(logging.WARNING, logger="synctui.scheduler"):
            scheduler.start()  # the first tick: once unguarded, it raised OverflowError
            scheduler.wait_for_cycles()
            assert service.get_job(healthy).status.last_execution.state.value == "Succeeded"
            clock.advance(timedelta(minutes=11))
            assert scheduler.tick() == [healthy]
            scheduler.wait_for_cycles()
        skipped = [r.getMessage() for r in caplog.records if broken in r.getMessage()]
        assert skipped == [
            f"job {broken} is not scheduled: bad interval P3000000D: an interval runs from PT1S to "
            f"P365D, one year; fix it with `synctui jobs update {broken} --interval DURATION`"
        ]
    finally:
        scheduler.stop()


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def cli(cli):
    cli("jobs", "list")  # seeds the home
    return cli


def _job(cli, template: str) -> str:
    _, out, _ = cli("jobs", "list", "--json")
    return next(job["id"] for job in json.loads(out)["value"] if job["templateId"] == template)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--setting", "ScimMaxParallelRequests=abc"),
            "error: setting ScimMaxParallelRequests must be a whole number from 1 to 64, not 'abc'\n",
        ),
        (("--interval", "P3000000D"), "error: bad interval P3000000D: an interval runs from PT1S to P365D, one year\n"),
        (
            ("--interval", "PT99999999999H"),
            "error: bad interval: 'PT99999999999H' is too long a duration "
            "(an interval runs from PT1S to P365D, one year)\n",
        ),
        (("--secret", "SecretToken=\udcff"), "error: secret SecretToken is not valid UTF-8 text\n"),
        (
            ("--secret", "BaseAddress=http://scim.example/v2"),
            "error: BaseAddress http://scim.example/v2 sends the token "
            "unencrypted; use https://, or set AllowInsecureHttp=true to allow it (a host other than this machine can "
            "read the token on the way)\n",
        ),
    ],
)
def test_jobs_create_refuses_bad_input(cli, argv: tuple[str, ...], message: str) -> None:
    before = (cli.home / "synctui.json").read_bytes()
    code, out, err = cli("jobs", "create", "--template", "scim", *argv)
    assert (code, out, err) == (2, "", message)
    assert (cli.home / "synctui.json").read_bytes() == before


def test_jobs_update(cli) -> None:
    job_id = _job(cli, "scim")
    code, out, _err = cli(
        "jobs",
        "update",
        job_id,
        "--name",
        "SCIM app",
        "--interval",
        "PT5M",
        "--setting",
        "ScimManagerShape=object",
        "--setting",
        "TraceRequests=true",
        "--json",
    )
    job = json.loads(out)
    assert code == 0 and job["schedule"]["interval"] == "PT5M"
    assert {"name": "ScimManagerShape", "value": "object"} in job["synchronizationJobSettings"]
    code, _, _ = cli("jobs", "update", job_id, "--unset", "TraceRequests")
    _, out, _ = cli("jobs", "get", job_id)
    assert code == 0 and "TraceRequests" not in out
    _, out, _ = cli("jobs", "list")
    assert "SCIM app" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--setting", "ScimMaxParallelRequests=0", "--name", "renamed"),
            "setting ScimMaxParallelRequests must be a whole number from 1 to 64, not '0'",
        ),
        (("--setting", "Foo=bar"), "unknown setting 'Foo' for a scim job; its settings are: SourcePath,"),
        (("--interval", "P400D"), "bad interval P400D"),
        (("--name", " "), "a job's name cannot be empty"),
        ((), "nothing to change: give --name, --interval, --setting NAME=VALUE or --unset NAME"),
        (
            ("--setting", "TraceRequests=true", "--unset", "tracerequests"),
            "setting tracerequests is both set and unset",
        ),
    ],
)
def test_jobs_update_refuses_bad_input_and_changes_nothing(cli, argv: tuple[str, ...], message: str) -> None:
    job_id = _job(cli, "scim")
    before = (cli.home / "synctui.json").read_bytes()
    code, out, err = cli("jobs", "update", job_id, *argv)
    assert code == 2 and out == "" and err.startswith("error: " + message) and err.count("\n") == 1
    assert (cli.home / "synctui.json").read_bytes() == before


def test_jobs_update_of_an_unknown_job(cli) -> None:
    code, _, err = cli("jobs", "update", "nope", "--name", "x")
    assert code == 2 and err == "error: no job with id 'nope'; `synctui jobs list` shows the jobs\n"


def test_secrets_put_of_a_setting_is_refused_and_points_to_jobs_update(cli) -> None:
    job_id = _job(cli, "csvInbound")
    before = (cli.home / "synctui.json").read_bytes()
    code, _, err = cli("secrets", "put", job_id, "SourcePath=/data/hr.csv")
    assert code == 2 and err == (
        f"error: SourcePath is a setting of csvInbound jobs, not a secret; set it with "
        f"`synctui jobs update {job_id} --setting SourcePath=VALUE`\n"
    )
    code, _, err = cli("secrets", "put", job_id, "SecretToken=\r\n")
    assert code == 2 and "unknown secret 'SecretToken' for a csvInbound job" in err
    assert (cli.home / "synctui.json").read_bytes() == before


def test_secrets_put_refuses_a_token_that_cannot_travel_in_a_header(cli) -> None:
    job_id = _job(cli, "scim")
    before = (cli.home / "synctui.json").read_bytes()
    for token in ("abc\r\nX: y", "t\u00f6ken", "\udcff"):
        code, _, err = cli("secrets", "put", job_id, f"SecretToken={token}")
        assert code == 2 and err.startswith("error: secret SecretToken ") and "X: y" not in err
    assert (cli.home / "synctui.json").read_bytes() == before


def test_jobs_run_with_a_bad_stored_setting_is_a_failed_execution(cli) -> None:
    job_id = _job(cli, "jsonfile")
    config = json.loads((cli.home / "synctui.json").read_text())
    record = next(job for job in config["jobs"].values() if job["id"] == job_id)
    record["job"]["synchronizationJobSettings"] = [{"name": "QuarantineTooManyDeletesThreshold", "value": "abc"}]
    (cli.home / "synctui.json").write_text(json.dumps(config))
    code, out, err = cli("jobs", "run", job_id)
    assert code == 1 and err == ""
    assert out.startswith("Failed: imported 0")
    assert (
        "InvalidConfiguration: setting QuarantineTooManyDeletesThreshold must be a whole number from 0 to "
        "100,000,000, not 'abc'; set it with"
    ) in out


def test_a_long_quarantine_series_backs_off_without_overflow(
    service: SyncService, clock: FrozenClock, tmp_path: Path
) -> None:
    from synctui.engine.status import quarantine
    from synctui.models import QuarantineReason, SynchronizationQuarantine

    job = service.get_job(_jsonfile_job(service, tmp_path, interval="PT1S"))
    job.status.quarantine = SynchronizationQuarantine(series_began=clock.now(), series_count=60)
    quarantine(job, QuarantineReason.EncounteredQuarantineException, None, clock.now())  # once 2**61 seconds
    assert job.status.quarantine.next_attempt == clock.now() + timedelta(days=1)
