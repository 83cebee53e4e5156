"""Pages for rewards: what is owed to participants, budgets and settling them."""
