"""The annotate stage: decisions on one document, the annotation session, the queue."""
