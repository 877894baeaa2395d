"""Word documents: the data a template sees, and rendering it with docxtpl."""
