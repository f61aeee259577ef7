"""The medpass domain: frozen dataclasses and pure functions, no I/O and no clock."""
