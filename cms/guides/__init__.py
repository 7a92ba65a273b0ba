"""Service guides (办事指南): the item catalogue."""
