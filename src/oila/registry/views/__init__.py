"""The registry's HTML pages: households (list, page, registration, edits) and people."""
