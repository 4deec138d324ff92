"""Alembic environment: migrations run synchronously, in batch mode so SQLite can alter tables."""

from alembic import context
from sqlalchemy import create_engine, pool

from storage.schema import metadata

config = context.config


def run_migrations() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
