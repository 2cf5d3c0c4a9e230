"""Response intake: stored answers, their status, comments and evidence (being built)."""
