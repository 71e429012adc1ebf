"""`make bench`: how much Chinese costs when rendering a letter (``python -m bench``)."""
