"""Two test-only kinds sharing a name: the registry must refuse them."""
