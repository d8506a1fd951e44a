"""The rules: each a function registered under its code; modules are imported on first run, not at start-up."""
