"""Demo data: `seed` (accounts and cases made through the use cases), `bulk` (province-scale
cases generated in bulk) and `load` (writing those rows fast)."""
