"""What a short command loads: `jobs provision` (provision on demand, meant to answer in a blink)
builds no pydantic validator in a process after the first (so pydantic never looks its plugins up,
importing importlib.metadata), and leaves the modules only other paths need unloaded; those paths
still load them (a cycle in a process of its own, exports on several threads, in their own tests:
test_cycle_process.py, tests/engine/test_parallel_steps.py). The directory definitions the
connectors describe themselves with, made without validation, are what validating would make."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from synctui.connectors.csvfile import hr_csv_definition
from synctui.connectors.jsonfile import jsonfile_definition
from synctui.connectors.scim._definition import scim_definition
from synctui.connectors.tenant import tenant_definition
from synctui.models import AttributeDefinition, DirectoryDefinition, Mutability, complete
from synctui.store import Home

ONLY_ELSEWHERE = (
    "pydantic.plugin._loader",
    "importlib.metadata",
    "subprocess",
    "concurrent.futures",
    "logging",
    "synctui.models.on_demand",
    "synctui.store.log_query",
    "synctui.expressions.dates",
)
"""Modules `jobs provision` has no use for: the plugin look-up of a validator's first build, a
cycle's child process, the pool of parallel exports, the dashboard's shutdown, the Graph
endpoint's provisionOnDemand request and answer models, the provisioning log's filters, and the
date functions of a schema that calls none."""

REPORT = (
    "import json, sys\n"
    "from synctui.cli import main\n"
    "code = main(sys.argv[1:-1])\n"
    "loaded = [name for name in sys.argv[-1].split(',') if name in sys.modules]\n"
    "sys.stderr.write('\\n' + json.dumps({'code': code, 'loaded': loaded}) + '\\n')\n"
)


def _command(home: Path, *argv: str, modules: tuple[str, ...] = ONLY_ELSEWHERE) -> dict[str, object]:
    """`synctui ARGV` in a fresh interpreter: its exit code and which of `modules` it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", REPORT, *argv, ",".join(modules)],
        env=dict(os.environ, SYNCTUI_HOME=str(home)),
        capture_output=True,
        text=True,
        check=False,
    )
    report: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return report


def test_provision_on_demand_builds_no_validator_and_loads_no_child_process_or_thread_pool(cli) -> None:
    _, out, _ = cli("jobs", "list", "--json")
    job = next(job["id"] for job in json.loads(out)["value"] if job["templateId"] == "jsonfile")
    assert cli("jobs", "run", job)[0] == 0
    users = json.loads((cli.home / "tenant" / "directory.json").read_bytes())["users"]
    # The first process validates the job and keeps it (store/model_cache.py); the ones after read it.
    assert _command(cli.home, "jobs", "provision", job, "--object", users[0]["id"])["code"] == 0
    assert _command(cli.home, "jobs", "provision", job, "--object", users[1]["id"]) == {"code": 0, "loaded": []}


NOT_FOR_A_CYCLE = ("rich", "synctui.store.log_query", "synctui.expressions.dates")
"""Modules `jobs run` has no use for: the dashboard's text styling (the cycle's report is plain),
the provisioning log's filters, and the date functions of a schema that calls none."""


def test_a_cycle_in_the_foreground_loads_only_what_a_cycle_needs(cli) -> None:
    _, out, _ = cli("jobs", "list", "--json")
    job = next(job["id"] for job in json.loads(out)["value"] if job["templateId"] == "jsonfile")
    assert _command(cli.home, "jobs", "run", job, modules=NOT_FOR_A_CYCLE) == {"code": 0, "loaded": []}
    assert _command(cli.home, "jobs", "run", job, modules=NOT_FOR_A_CYCLE) == {"code": 0, "loaded": []}  # a quiet one


@pytest.mark.parametrize(
    "definition",
    [
        tenant_definition,
        jsonfile_definition,
        scim_definition,
        lambda: hr_csv_definition(["Badge", "Region"]),
    ],
    ids=["tenant", "jsonfile", "scim", "csv"],
)
def test_a_connectors_definition_is_what_validating_it_would_make(definition) -> None:
    made = definition()
    validated = complete(DirectoryDefinition.model_validate(made.model_dump(mode="json")))
    assert made == validated
    assert made.model_dump(mode="json") == validated.model_dump(mode="json")
    assert made.model_dump() == validated.model_dump()  # the same Python types too: enum members, models
    for made_object, validated_object in zip(made.objects, validated.objects, strict=True):
        assert made_object.model_fields_set == validated_object.model_fields_set
        for made_attribute, validated_attribute in zip(
            made_object.attributes, validated_object.attributes, strict=True
        ):
            assert made_attribute.model_fields_set == validated_attribute.model_fields_set
            assert type(made_attribute.mutability) is type(validated_attribute.mutability)


def test_a_model_of_own_values_is_complete_as_one_made_with_keyword_arguments() -> None:
    made = AttributeDefinition.of_own_values(name="mail", mutability=Mutability.ReadOnly)
    built = AttributeDefinition(name="mail", mutability=Mutability.ReadOnly)
    assert made == built and made.model_fields_set == built.model_fields_set == set(AttributeDefinition.model_fields)
    assert made.model_dump(mode="json") == built.model_dump(mode="json")


def test_models_that_refer_to_each_other_validate_on_their_first_use_in_a_process() -> None:
    # Their references are resolved when they are first used (defer_build), not at import.
    code = (
        "from synctui.models import StringKeyAttributeMappingSourceValuePair as Pair\n"
        "from synctui.models.on_demand import SynchronizationJobSubject as Subject\n"
        "pair = Pair.model_validate({'key': 'a', 'value': {'type': 'Function', 'name': 'Join', 'parameters': "
        "[{'key': 'separator', 'value': {'type': 'Constant', 'name': ','}}]}})\n"
        "assert pair.value.parameters[0].value.name == ','\n"
        "subject = Subject.model_validate({'objectId': 'u', 'links': {'manager': {'objectId': 'm'}}})\n"
        "assert subject.links.manager.object_id == 'm'\n"
        "assert Subject(object_id='x').model_dump(mode='json')['links'] is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_dashboard_notices_a_provision_made_by_another_process(cli) -> None:
    # The provision leaves the job file as it was (its escrows and meta did not change): the jobs
    # folder's time still moves, which is what a dashboard polls (Home.change_stamp).
    _, out, _ = cli("jobs", "list", "--json")
    job = next(job["id"] for job in json.loads(out)["value"] if job["templateId"] == "jsonfile")
    assert cli("jobs", "run", job)[0] == 0
    users = json.loads((cli.home / "tenant" / "directory.json").read_bytes())["users"]
    assert cli("jobs", "provision", job, "--object", users[0]["id"])[0] == 0  # its change logs made
    home = Home(cli.home)
    os.utime(home.jobs_dir, ns=(0, 0))
    before = home.change_stamp()
    job_file = home.job_state_file(job).stat()
    assert cli("jobs", "provision", job, "--object", users[1]["id"])[0] == 0
    written = home.job_state_file(job).stat()
    assert (written.st_ino, written.st_mtime_ns) == (job_file.st_ino, job_file.st_mtime_ns)  # not written again
    assert home.change_stamp() != before


FREEZES = (
    "import gc, sys\n"
    "from synctui.cli import main\n"
    "command = sys.argv[1:]\n"
    "main(command)\n"
    "called = gc.get_freeze_count()\n"
    "sys.argv = ['synctui', *command]\n"
    "main()\n"
    "print(called, gc.get_freeze_count())\n"
)


def _provision_in_a_process(cli, script: str) -> subprocess.CompletedProcess[str]:
    """`script` run in a fresh interpreter with the arguments of a provision on demand of a user of
    the demo's jsonfile job, after its first cycle."""
    _, out, _ = cli("jobs", "list", "--json")
    job = next(job["id"] for job in json.loads(out)["value"] if job["templateId"] == "jsonfile")
    assert cli("jobs", "run", job)[0] == 0
    user = json.loads((cli.home / "tenant" / "directory.json").read_bytes())["users"][0]["id"]
    return subprocess.run(
        [sys.executable, "-c", script, "jobs", "provision", job, "--object", user],
        env=dict(os.environ, SYNCTUI_HOME=str(cli.home)),
        capture_output=True,
        text=True,
        check=True,
    )


def test_the_command_leaves_what_it_made_to_the_end_of_the_process(cli) -> None:
    # Run as the `synctui` command (no argv: the command line's), the objects a command leaves are
    # frozen, so the collection at exit does not walk them; called with argv (tests, a program
    # that calls it again) they stay collectable. Provision on demand unfreezes what the imports froze.
    done = _provision_in_a_process(cli, FREEZES)
    called, as_command = map(int, done.stdout.strip().splitlines()[-1].split())
    assert called == 0
    assert as_command > 0


COLLECTIONS_WHILE_IMPORTING = (
    "import gc, json, sys\n"
    "from synctui.cli import main\n"
    "during = []\n"
    "def started(phase, info):\n"
    "    service = sys.modules.get('synctui.service')\n"
    "    importing = 'synctui.models' in sys.modules and not hasattr(service, 'SyncService')\n"
    "    if phase == 'start' and importing:\n"
    "        during.append(info['generation'])\n"
    "gc.callbacks.append(started)\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write('\\n' + json.dumps({'code': code, 'collections': len(during)}) + '\\n')\n"
)


def test_provision_on_demand_imports_the_service_with_collections_paused(cli) -> None:
    # The import makes ~300,000 objects that live as long as the process: collections meanwhile
    # would only walk them again and again (see cli._service).
    done = _provision_in_a_process(cli, COLLECTIONS_WHILE_IMPORTING)
    assert json.loads(done.stderr.strip().splitlines()[-1]) == {"code": 0, "collections": 0}


def test_the_jobs_list_imports_the_models_with_collections_paused(cli) -> None:
    # Its text is made with the models' and the dashboard's helpers: imported after the service,
    # not before it with collections running.
    done = subprocess.run(
        [sys.executable, "-c", COLLECTIONS_WHILE_IMPORTING, "jobs", "list"],
        env=dict(os.environ, SYNCTUI_HOME=str(cli.home)),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == {"code": 0, "collections": 0}
