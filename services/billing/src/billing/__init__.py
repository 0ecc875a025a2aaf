"""Premium billing for group policies, posting to the receivables ledger."""
