"""The staff console: a browser app served at /console that talks only to /staff/v1."""
