"""State on disk: the home folder, the configuration and one state file per job.

The only package that imports `tinydb`.
"""

from .errors import StoreError
from .home import Home
from .config import ConfigStore
from .job_lock import JobLock, JobLocked
from .job_state import JobStateStore, StateSnapshot, state_files
from .request_log import RequestLog

__all__ = ["ConfigStore", "Home", "JobLock", "JobLocked", "JobStateStore", "RequestLog", "StateSnapshot", "StoreError", "state_files"]
