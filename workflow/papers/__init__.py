"""Letters and documents: the case facts they print, their kinds and numbers, and the one
place where their bytes are rendered and stored."""
