"""Pipeline stage: query. Named auditor queries with bound parameters, and trace."""

from pia_graph.query.catalog import QuerySpec, list_queries, queries_dir, resolve
from pia_graph.query.run import parse_params, run_query, term_text
from pia_graph.query.trace import Hop, HopFlow, flow_network, trace

__all__ = ["Hop", "HopFlow", "QuerySpec", "flow_network", "list_queries", "parse_params", "queries_dir",
           "resolve", "run_query", "term_text", "trace"]
