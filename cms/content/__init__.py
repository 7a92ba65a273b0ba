"""The revisioned-content engine shared by every editable content type (guides, notices).

One ``cms_items`` document per content item holds the pointers (draft and live revision), the version
counter every change is conditioned on, the workflow state, the schedule and a denormalised copy of
the live content for delivery. Revisions are full snapshots in an append-only collection; every
editorial action goes through an action object (``check()`` then ``execute()``) that writes the audit
entry. Content types plug in through ``cms.content.spec.ContentType``.
"""
