"""Guides (the item catalogue) and notices: content, revisions, workflow, delivery, search."""
