"""Shared foundation of newsarchive: configuration, errors, the Elasticsearch
connection and the embedded local Elasticsearch node.

Data flows crawler -> archive -> indexer -> Elasticsearch -> search CLI; every
layer may import this package, and this package imports none of them.
"""

__version__ = "0.1.0"
