"""Pipeline stage: extract."""
