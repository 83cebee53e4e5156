"""Impact maps: goal, actors, outcomes, outputs, experiments, evidence; roadmaps."""
