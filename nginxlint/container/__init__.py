"""Runtime facts about the container nginx runs in: Kubernetes manifests, Compose files, settings."""
