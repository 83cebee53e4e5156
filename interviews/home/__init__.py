"""The PM's home: what needs them now, read from every area (it sits above them)."""
