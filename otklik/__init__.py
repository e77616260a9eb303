"""otklik — an open-source reputation desk for brands in social networks."""

__version__ = "0.1.0"
