"""The station itself: identity and joining, community settings, derived caches,
counts and digest, demo fill."""
