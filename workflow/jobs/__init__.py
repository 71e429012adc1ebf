"""Work outside the request: `queue` (the helpers everyone schedules through; a leaf) and
`registry` (every job by name, and the periodic schedule)."""
