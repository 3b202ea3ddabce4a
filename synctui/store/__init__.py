"""State on disk: the home folder, the configuration and one state file per job.

The only package that imports `tinydb`.
"""

from .errors import StoreError
from .home import Home
from .config import ConfigStore
from .job_state import JobStateStore, StateSnapshot

__all__ = ["ConfigStore", "Home", "JobStateStore", "StateSnapshot", "StoreError"]
