"""Command handlers of the billing service, its ports and its unit of work."""
