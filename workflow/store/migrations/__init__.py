"""The store's schema revisions (Alembic): ``env.py`` and ``versions/``, run by ``workflow.store.database``."""
