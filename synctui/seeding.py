"""A new home gets the sample company as its tenant directory and one demo job per template."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .service import SyncService

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"


def seed_home(service: SyncService) -> None:
    home = service.home
    if not home.tenant_file.exists() and (SAMPLE_DATA / "directory.json").exists():
        shutil.copyfile(SAMPLE_DATA / "directory.json", home.tenant_file)
        home.tenant_file.chmod(0o600)
    hr_file = home.tenant_dir / "hr.csv"
    if not hr_file.exists() and (SAMPLE_DATA / "hr.csv").exists():
        shutil.copyfile(SAMPLE_DATA / "hr.csv", hr_file)
    targets = home.root / "targets"
    targets.mkdir(mode=0o700, exist_ok=True)
    demo = service.create_job("jsonfile", name="Demo: tenant → JSON file", interval="PT1M",
                              secrets={"ConnectionString": str(targets / "demo-directory.json")})
    service.start_job(demo.id)
    service.create_job("csvInbound", name="Demo: HR CSV → tenant", interval="PT5M",
                       settings={"SourcePath": str(hr_file)})
    service.create_job("scim", name="Demo: tenant → SCIM endpoint", interval="PT2M")
