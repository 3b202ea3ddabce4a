"""The terminal sizes the layout changes at. The app and the jobs screen set CSS classes from them
(`-narrow`, `-short`, `-wide`), which app.tcss styles; a few widgets adapt in code."""

NARROW = 100
"""Fewer columns: the jobs table keeps its main columns and the footer its main keys (80×24 works)."""

SHORT = 30
"""Fewer lines: one-line buttons, fields and checkboxes, so that each tab keeps room for its content."""

WIDE = 150
"""This many columns or more: the jobs table and the job's detail sit side by side."""
