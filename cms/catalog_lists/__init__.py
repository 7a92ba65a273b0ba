"""Departments and themes: the managed lists guides refer to by id."""
