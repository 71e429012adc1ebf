"""What is kept: the tables, the database, settings and the holiday calendar, stored files,
the audit chain, the search index, backups and integrity checks. Imports only `rules/`."""
