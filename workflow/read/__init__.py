"""The read side: what pages, the API and reports show (case descriptions, registers,
tracking, the public projects, statistics, the guide). Reads only; never writes."""
