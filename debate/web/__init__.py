"""Web plumbing: configuration, extensions, security, errors, forms, rate limits."""
