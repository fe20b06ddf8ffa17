"""The demo: a throwaway v5.14-rc5 stand-in repository for the example series."""
