from ..errors import SynctuiError


class StoreError(SynctuiError):
    """A file of the home folder cannot be used. The message names the file and the fix."""
