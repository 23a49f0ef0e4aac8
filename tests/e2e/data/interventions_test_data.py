"""Invented data for the end-to-end tests of the desk (filled by the work in progress)."""
