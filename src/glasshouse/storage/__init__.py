"""The glass house's storage: SQLAlchemy 2 models, Alembic migrations, repositories.

SQLite (a file in the user data directory) is the embedded default; PostgreSQL (psycopg
3) serves teams running more than one server process. Every function here takes its
session explicitly; nothing reads the environment.
"""
