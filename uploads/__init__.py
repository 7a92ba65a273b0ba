"""Material intake (streaming upload, checks, image normalisation) and staff pre-review."""
