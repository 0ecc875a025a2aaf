"""Documents made from the ledger's answers: statement of account as PDF."""
