"""Directories the engine reads from and writes to: the `Directory` protocol (`base`) and one module
per kind of directory (JSON file, CSV file, the local tenant, SCIM, in memory)."""
