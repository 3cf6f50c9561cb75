"""Data shipped with the service: the catalog of things and the working-day calendar."""
