"""A demo portfolio: a realistic year of group-insurance receivables in Singapore and Hong
Kong, planned from a seeded random generator (:mod:`.plan`) and loaded through the
services' HTTP APIs (:mod:`.load`). The same seed and end date give the same calls, and
every call carries its own id, so loading again changes nothing."""
