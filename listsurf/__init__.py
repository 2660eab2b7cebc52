"""Listsurf: save links for later, with a bookmarklet and a JSON API."""
