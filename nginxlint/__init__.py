"""nginxlint: a static analyzer for nginx and OpenResty deployments."""

__version__ = "0.1.0"
