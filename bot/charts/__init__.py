"""Charts: pure functions from data to PNG bytes. matplotlib is imported on first render only."""
