"""The PM's home page: what needs them now."""
