"""The store: SQLAlchemy 2 models, engine factory, Alembic migrations (SQLite or PostgreSQL)."""
