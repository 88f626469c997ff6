"""Models of the governance app, one module per area (plan, funds, assessment, findings)."""
