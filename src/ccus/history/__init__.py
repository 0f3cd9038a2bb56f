"""Card touches at site gates and the work history they make."""
