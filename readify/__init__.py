"""Readify: a read-later link site with tags, likes, an archive, a trash, and public profiles."""
