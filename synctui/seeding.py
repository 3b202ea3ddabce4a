"""A new home gets the sample company as its tenant directory and one demo job per template."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .fileio import atomic_write

if TYPE_CHECKING:
    from .service import SyncService

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
"""The repository's committed sample; an installed copy without it generates the same files."""


def sample_file(name: str) -> bytes:
    path = SAMPLE_DATA / name
    if path.exists():
        return path.read_bytes()
    from .demo.company import sample_files

    return sample_files()[name]


def seed_home(service: SyncService) -> None:
    home = service.home
    hr_file = home.tenant_dir / "hr.csv"
    for path, name in ((home.tenant_file, "directory.json"), (hr_file, "hr.csv")):
        if not path.exists():
            atomic_write(path, sample_file(name))
    targets = home.root / "targets"
    targets.mkdir(mode=0o700, exist_ok=True)
    demo = service.create_job("jsonfile", name="Demo: tenant → JSON file", interval="PT1M",
                              secrets={"ConnectionString": str(targets / "demo-directory.json")})
    service.start_job(demo.id)
    service.create_job("csvInbound", name="Demo: HR CSV → tenant", interval="PT5M",
                       settings={"SourcePath": str(hr_file)})
    service.create_job("scim", name="Demo: tenant → SCIM endpoint", interval="PT2M")
