"""The sample company and the changes that make a demo move (no I/O: documents in, documents out)."""
