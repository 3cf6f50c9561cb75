"""Use cases: apply the domain rules through the storage adapters, one transaction each."""
