"""The worker: registered jobs with timeouts, recorded runs, all idempotent."""
