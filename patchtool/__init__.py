"""patchtool: a kernel-style patch series as a library and a command line."""

__version__ = "0.1.0"
