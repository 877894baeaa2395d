"""The decision register of the meetings: its settings, its entries and its exports."""
