"""Pipeline stage: query."""
