"""`nginxlint graph`: the deployment drawn as Mermaid, DOT or a self-contained HTML page."""
