"""The exhibit's state: modes, input events -> actions, the teacher's layers, live learning. No drawing: the views read it."""
