"""Notices (通知公告): the second content type of the engine."""
