"""Material intake: streamed upload -> type from bytes -> structure and polyglot checks -> normalised
photo (upright, no metadata, at most 2560 px, thumbnail) or checked PDF -> readability advice.

Entry points: ``spool.SpooledUpload`` (request body to disk), ``pipeline.process_upload`` (async) and
``pipeline.process_file`` (sync core), configured by ``params.IntakeParams``; refusals are the
``errors`` classes, all ``server.errors.AppError`` 4xx subclasses.
"""
