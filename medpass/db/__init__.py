"""SQLAlchemy 2 storage: rows, the repository that turns them into domain values, sessions, migrations."""
