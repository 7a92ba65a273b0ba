"""The working-day calendar: statutory holidays and make-up working days, extendable by an admin."""
