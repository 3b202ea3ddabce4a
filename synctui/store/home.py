"""Where synctui keeps its files: `SYNCTUI_HOME`, else `--home`, else the user data folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import StoreError


@dataclass(frozen=True)
class Home:
    """The folder synctui keeps its configuration, jobs and state in: `SYNCTUI_HOME`, `--home`,
    or the user's data folder (`$XDG_DATA_HOME/synctui`)."""

    root: Path

    @classmethod
    def locate(cls, cli_home: str | os.PathLike[str] | None = None) -> Home:
        chosen = os.environ.get("SYNCTUI_HOME") or cli_home
        if chosen:
            return cls(Path(chosen).expanduser().resolve())
        return cls(_default_root())

    @property
    def config_file(self) -> Path:
        return self.root / "synctui.json"

    @property
    def jobs_dir(self) -> Path:
        return self.root / "jobs"

    @property
    def tenant_dir(self) -> Path:
        return self.root / "tenant"

    @property
    def tenant_file(self) -> Path:
        return self.tenant_dir / "directory.json"

    def job_state_file(self, job_id: str) -> Path:
        return self._job_file(job_id, ".json")

    def request_log_file(self, job_id: str) -> Path:
        return self._job_file(job_id, ".requests.jsonl")

    def inbound_file(self, job_id: str) -> Path:
        """An API-driven inbound job's staged payloads (see inbound_api.py)."""
        return self._job_file(job_id, ".inbound.json")

    def _job_file(self, job_id: str, suffix: str) -> Path:
        """A file of the job's in `jobs/`. The service passes only ids it found in the
        configuration; an id that is not a plain file name is refused all the same, so that no
        id ever names a file outside `jobs/` (`../synctui`, `/etc/x`)."""
        if job_id in ("", ".", "..") or any(character in job_id for character in "/\\\0"):
            raise StoreError(
                f"the job id {job_id!r} in {self.config_file} cannot name a file: an id holds no "
                "path separator, `..` or NUL; delete that job from the file or fix its id"
            )
        return self.jobs_dir / f"{job_id}{suffix}"

    def change_stamp(self) -> tuple[int, ...]:
        """What changes when any process changes the configuration or a job's files: the
        configuration file's time, size and inode, and the jobs folder's time (each job file is
        written as a new file renamed into place, which changes the folder's time). Two stats, so
        a dashboard can ask every few seconds."""
        stamp: list[int] = []
        for path in (self.config_file, self.jobs_dir):
            try:
                status = path.stat()
            except OSError:
                stamp += [0, 0, 0]
            else:
                stamp += [status.st_mtime_ns, status.st_size, status.st_ino]
        return tuple(stamp)

    @property
    def is_new(self) -> bool:
        return not self.config_file.exists()

    def ensure(self) -> list[str]:
        """Create the folders (owner-only) and check that we can write there. Returns warnings
        for the user about folders other users may write to (they could replace synctui's files
        or plant links in their place): one that synctui made is made owner-only again, others
        are only warned about (see `_guard`)."""
        try:
            for folder in (self.root, self.jobs_dir, self.tenant_dir):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create the home folder {self.root}: {error.strerror}; "
                "choose another one with --home DIR or SYNCTUI_HOME"
            ) from None
        if not os.access(self.root, os.W_OK | os.X_OK) or not os.access(self.jobs_dir, os.W_OK | os.X_OK):
            raise StoreError(
                f"the home folder {self.root} is not writable; fix its permissions "
                "or choose another one with --home DIR or SYNCTUI_HOME"
            )
        return [warning for folder in (self.root, self.jobs_dir, self.tenant_dir) if (warning := self._guard(folder))]

    def _guard(self, folder: Path) -> str | None:
        """A warning if others may write to `folder`, made owner-only first when synctui made it.
        synctui made `jobs/` and `tenant/`, and the default home (a `synctui` folder in the user
        data folder). A home chosen with --home or SYNCTUI_HOME may be a folder the user made and
        shares on purpose, and is left as it is (one that synctui creates is owner-only anyway)."""
        mode = folder.stat().st_mode & 0o777
        if not mode & 0o022:
            return None
        if folder != self.root or folder == _default_root():
            try:
                folder.chmod(0o700)
            except OSError:
                pass
            else:
                return f"{folder} could be written by other users (mode {mode:o}); synctui made it owner-only (700)"
        return (
            f"{folder} can be written by other users (mode {mode:o}), who could replace synctui's files "
            f"in it; make it owner-only: `chmod 700 {folder}`"
        )


def _default_root() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "synctui"
