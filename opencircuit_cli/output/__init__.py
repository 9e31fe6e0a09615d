"""Rendering results: JSON documents (stable schemas) and rich tables."""
