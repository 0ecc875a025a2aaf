"""Pure billing rules: money, calendar, policies, premiums, documents (no I/O)."""
