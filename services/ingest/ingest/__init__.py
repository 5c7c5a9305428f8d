"""The ingest service: takes in publications, stores their bytes once, announces them."""
