"""Admin of registrations: check-in, export (to be written)."""
