"""yiwang server: settings, app factory, storage, identity, cases, payments, messages."""
