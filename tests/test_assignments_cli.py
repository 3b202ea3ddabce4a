"""`synctui assignments` and the service's view of a job's source: real homes, real files."""

from __future__ import annotations

import json

from synctui.connectors.assignments import new_assignment
from synctui.service import SyncService

from .test_cli import _snapshot


def _job(cli, template: str) -> str:
    _, out, _ = cli("jobs", "list", "--json")
    return next(job["id"] for job in json.loads(out)["value"] if job["templateId"] == template)


def _tenant(cli) -> dict:
    return json.loads((cli.home / "tenant" / "directory.json").read_text())


def test_a_new_home_assigns_demo_groups_to_its_scim_job(cli) -> None:
    scim = _job(cli, "scim")
    code, out, _ = cli("assignments", "list", scim, "--json")
    assignments = json.loads(out)["value"]
    assert code == 0 and {a["principalDisplayName"] for a in assignments} == {"Sales", "Information Technology"}
    principal = json.loads((cli.home / "synctui.json").read_text())
    assert all(a["principalType"] == "Group" for a in assignments)
    assert {a["resourceId"] for a in assignments} == {
        record["servicePrincipalId"] for record in principal["jobs"].values() if record["id"] == scim
    }
    assert _tenant(cli)["appRoleAssignments"] == assignments
    code, out, _ = cli("assignments", "list", _job(cli, "jsonfile"))
    assert code == 0 and out.startswith("Nothing is assigned")


def test_add_list_and_remove(cli) -> None:
    scim = _job(cli, "scim")
    user = _tenant(cli)["users"][7]
    code, out, err = cli("assignments", "add", scim, "--user", user["id"])
    assert code == 0, err
    assert out.startswith("Assigned: ") and user["displayName"] in out and "role msiam_access" in out
    assignment_id = out.split()[1]
    code, out, _ = cli("assignments", "list", scim)
    assert assignment_id in out and out.count("\n") == 3
    code, out, _ = cli("assignments", "remove", scim, assignment_id)
    assert code == 0 and out.startswith(f"Removed: {assignment_id}")
    code, out, _ = cli("assignments", "list", scim)
    assert assignment_id not in out and out.count("\n") == 2


def test_new_assignment_ids_never_read_as_an_option_and_one_from_elsewhere_goes_after_a_double_dash(cli) -> None:
    assert not any(new_assignment({"id": "u1"}, "User", "sp", "r", "now")["id"].startswith("-") for _ in range(2000))
    # Graph's own ids may begin with "-": a tenant file exported from Entra can hold one.
    scim = _job(cli, "scim")
    tenant_file = cli.home / "tenant" / "directory.json"
    tenant = _tenant(cli)
    tenant["appRoleAssignments"][0]["id"] = "-" + tenant["appRoleAssignments"][0]["id"][1:]
    tenant_file.write_text(json.dumps(tenant))
    dashed = tenant["appRoleAssignments"][0]["id"]
    code, out, _ = cli("assignments", "remove", scim, "--", dashed)
    assert code == 0 and out.startswith(f"Removed: {dashed}")


def test_bad_assignments_change_nothing(cli) -> None:
    scim, hr = _job(cli, "scim"), _job(cli, "csvInbound")
    group = next(g for g in _tenant(cli)["groups"] if g["displayName"] == "Sales")
    before = _snapshot(cli.home)
    for argv, message in (
        (("add", scim, "--user", "no-such-user"), "no user with id 'no-such-user'"),
        (("add", scim, "--group", group["id"]), "Sales is already assigned"),
        (("add", scim, "--group", group["id"], "--role", "Admin"), "has no role 'Admin'; its roles are: msiam_access"),
        (("add", hr, "--user", "E100001"), "reads a source without assignments"),
        (("remove", scim, "no-such-assignment"), "no assignment 'no-such-assignment'"),
        (("add", "no-such-job", "--user", "x"), "no job with id 'no-such-job'"),
    ):
        code, out, err = cli("assignments", *argv)
        assert code == 2 and out == "" and message in err and err.count("\n") == 1, (argv, err)
    code, _, err = cli("assignments", "add", scim)
    assert code == 2 and "one of the arguments --user --group is required" in err
    assert _snapshot(cli.home) == before


def test_source_objects_come_from_the_jobs_own_source(service: SyncService) -> None:
    jobs = {job.template_id: job.id or "" for job in service.list_jobs()}
    hr = service.source_objects(jobs["csvInbound"], "")
    assert hr and all(obj.object_type == "User" for obj in hr)
    first = hr[0]
    assert first.id.startswith("E") and first.display_name != first.id  # HR workers by their names
    sales = next(obj for obj in service.source_objects(jobs["scim"], "sales") if obj.object_type == "Group")
    assert sales.display_name == "Sales"
    assert [obj.id for obj in service.source_objects(jobs["jsonfile"], sales.id)] == [sales.id]
    assert service.source_objects(jobs["csvInbound"], sales.id) == []  # not in the HR file


def test_a_search_sees_the_source_as_it_is_now(service: SyncService) -> None:
    jobs = {job.template_id: job.id or "" for job in service.list_jobs()}
    assert service.source_objects(jobs["jsonfile"], "Zoë Newhire") == []
    tenant = json.loads(service.home.tenant_file.read_bytes())
    tenant["users"].append({"id": "new-1", "displayName": "Zoë Newhire", "userPrincipalName": "zoe@contoso.example"})
    service.home.tenant_file.write_text(json.dumps(tenant))
    assert [obj.id for obj in service.source_objects(jobs["jsonfile"], "Zoë Newhire")] == ["new-1"]
    schema = service.get_schema(jobs["jsonfile"])
    for mapping in schema.synchronization_rules[0].object_mappings:
        mapping.enabled = mapping.source_object_name == "User"
    service.put_schema(jobs["jsonfile"], schema)  # the Group mapping off: its groups are no longer offered
    assert {obj.object_type for obj in service.source_objects(jobs["jsonfile"], "")} == {"User"}


def test_many_matching_users_never_hide_the_groups(service: SyncService) -> None:
    scim = next(job.id or "" for job in service.list_jobs() if job.template_id == "scim")
    listed = service.source_objects(scim, "")  # 300 users and 17 groups match
    kinds = [obj.object_type for obj in listed]
    assert kinds.count("User") == 50 and kinds.count("Group") == 17
    assert kinds.index("Group") == 50  # users first


def test_a_scim_job_starts_assigned_only_and_one_from_before_syncs_all(service: SyncService) -> None:
    created = service.create_job("scim", secrets={"BaseAddress": "https://scim.example/v2"})
    assert service.sync_all(created.id or "") is False  # as Entra's SCIM applications start
    assert service.sync_all(service.create_job("scim", secrets={"syncall": "true"}).id or "") is True
    # A job made before assignments existed has no SyncAll: it keeps syncing all, as it did.
    service.put_secrets(created.id or "", {"SyncAll": ""})
    assert "SyncAll" not in service.secret_keys(created.id or "")
    assert service.sync_all(created.id or "") is True
    jsonfile = next(job.id or "" for job in service.list_jobs() if job.template_id == "jsonfile")
    assert service.sync_all(jsonfile) is True
    hr = next(job.id or "" for job in service.list_jobs() if job.template_id == "csvInbound")
    assert service.sync_all(hr) is None  # an HR file has no assignments: no choice
