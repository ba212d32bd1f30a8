"""Pipeline stages: pure functions over batches of documents, called by the flows in ``flows/``."""
