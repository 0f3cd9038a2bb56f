"""Registry of companies, their staff, workers and employments."""
