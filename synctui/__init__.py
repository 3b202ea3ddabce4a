"""synctui: a local, Entra-compatible synchronization (provisioning) job system."""

__version__ = "0.1.0"
