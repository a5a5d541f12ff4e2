"""Phase 0 and 5: the HTTP surface (Starlette) around the pipeline."""
