"""Reports: the research-operations dashboard and the weekly digest email."""
