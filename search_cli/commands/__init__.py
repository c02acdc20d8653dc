"""Thin Click commands, one module each, loaded lazily by ``search_cli.cli``."""
