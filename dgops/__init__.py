"""dgops."""
