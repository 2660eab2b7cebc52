"""Bookmark files (the Netscape format) in and out, and the import jobs that read them in the background.

:mod:`.netscape` reads a file, :mod:`.writer` writes one, :mod:`.jobs` keeps
an import's state in the database and :mod:`.runner` works through it.
"""
