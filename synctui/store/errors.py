class StoreError(Exception):
    """A file of the home folder cannot be used. The message names the file and the fix."""
