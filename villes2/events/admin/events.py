"""Admin of events, cycles and planned lines of action (to be written)."""
