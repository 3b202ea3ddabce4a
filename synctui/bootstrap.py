"""Opening a home: its folders made (owner-only) and checked, a new one seeded, the service built.

The command line, the dashboard and the tests open a home here; constructing `SyncService`
itself writes nothing. A new home gets the sample company as its tenant directory and one demo
job per template.
"""

from __future__ import annotations

from pathlib import Path

from .clock import Clock
from .fileio import atomic_write
from .service import SyncService
from .store import Home

DEMO_SCIM_GROUPS = ("Sales", "Information Technology")
"""The groups a new home assigns to its demo SCIM job (their direct members are its users)."""

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
"""The repository's committed sample; an installed copy without it generates the same files."""


def open_service(
    home: Home, *, clock: Clock | None = None, seed: bool = True, cycles_in_processes: bool = False
) -> SyncService:
    """The service of `home`, its folders made first. `seed`: a home used for the first time gets
    the sample data and the demo jobs. `cycles_in_processes`: see `SyncService`. The service's
    `warnings` say what the user should know about the home (a folder others may write to)."""
    warnings = home.ensure()
    new_home = home.is_new
    service = SyncService(home, clock=clock, cycles_in_processes=cycles_in_processes)
    service.warnings = warnings
    if seed and new_home:
        seed_home(service)
    return service


def seed_home(service: SyncService) -> None:
    home = service.home
    hr_file = home.tenant_dir / "hr.csv"
    for path, name in ((home.tenant_file, "directory.json"), (hr_file, "hr.csv")):
        if not path.exists():
            atomic_write(path, sample_file(name))
    targets = home.root / "targets"
    targets.mkdir(mode=0o700, exist_ok=True)
    demo = service.create_job(
        "jsonfile",
        name="Demo: tenant → JSON file",
        interval="PT1M",
        secrets={"ConnectionString": str(targets / "demo-directory.json")},
    )
    service.start_job(demo.id or "")
    service.create_job(
        "csvInbound", name="Demo: HR CSV → tenant", interval="PT5M", settings={"SourcePath": str(hr_file)}
    )
    scim = service.create_job("scim", name="Demo: tenant → SCIM endpoint", interval="PT2M")
    # Entra's SCIM applications sync only what is assigned to them: give the demo some groups.
    for group in DEMO_SCIM_GROUPS:
        found = [
            obj
            for obj in service.source_objects(scim.id or "", group)
            if obj.object_type == "Group" and obj.display_name == group
        ]
        for obj in found[:1]:
            service.assign(scim.id or "", "Group", obj.id)


def sample_file(name: str) -> bytes:
    path = SAMPLE_DATA / name
    if path.exists():
        return path.read_bytes()
    from .demo.company import sample_files

    return sample_files()[name]
