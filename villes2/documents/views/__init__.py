"""Views of the catalogue, one module per concern: `catalogue` (list and record pages),
`files` (attachments)."""
