"""The dgops web application (being built)."""
