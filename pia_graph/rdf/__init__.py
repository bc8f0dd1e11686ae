"""Pipeline stage: rdf."""
