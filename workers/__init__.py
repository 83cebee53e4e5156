"""RQ job functions. Each is module-level, takes ids, calls one service, is safe to retry."""
