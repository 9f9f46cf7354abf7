"""Analytics for Care Hub. No Django imports anywhere in this package: it runs on extracts, on any machine."""
