"""Object storage: one interface, a filesystem backend (default) and a MinIO backend."""
