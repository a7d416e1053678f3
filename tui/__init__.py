"""Quarterdeck: one shared quarterly plan for sales and marketing, as TOML files in git."""

__version__ = "0.1.0"
