"""Importing guides from the files catalogues are kept in: JSON lines, CSV and XLSX.

``sources`` reads rows with their line numbers, ``columns`` and ``catalogue`` turn a row into a guide,
``importer`` validates every row and hands the good ones to the content engine, ``cli`` is the command.
"""
