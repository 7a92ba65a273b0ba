"""The case (办件): one state machine, recorded transitions, legal timers, supervision levels."""
