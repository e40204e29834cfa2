"""Cases 诉求 (四级三色): intake, the lifecycle state machine, deadlines, lists, rates, handover."""
