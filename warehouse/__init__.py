"""The DuckDB warehouse: migrations, connection helper and bulk loads."""
