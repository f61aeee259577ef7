"""Reference data medpass ships: the curated medicines dictionary (medicines.csv) and its loader."""
