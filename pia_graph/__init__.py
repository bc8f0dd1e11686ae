"""pia-graph: a knowledge graph of Japan's 特定個人情報保護評価書 (My Number PIAs).

Pipeline stages, one package each, data flowing one way:
extract → model → rdf → store → validate → query (and trace) → export → cli.
"""

__version__ = "0.1.0"
