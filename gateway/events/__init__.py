"""Bonzo event hooks arriving over HTTP (the journey itself is ``pipeline.journey``)."""
