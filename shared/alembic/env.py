"""One Alembic environment for every history in the suite (plumbing and each service).

The caller (shared.migrate) passes the connection, the version table and the metadata.
"""
from alembic import context

config = context.config
connection = config.attributes["connection"]


def include_object(obj, name, type_, reflected, compare_to):
    # Histories share a database: a table of another history is not ours to drop.
    return not (type_ == "table" and reflected and compare_to is None)


context.configure(include_object=include_object, connection=connection, target_metadata=config.attributes.get("target_metadata"),
                  version_table=config.attributes["version_table"], render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
