"""Django's PostgreSQL backend with Stagedoor's index policy (see ``base``)."""
