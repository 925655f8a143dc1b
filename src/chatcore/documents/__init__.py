"""Documents and retrieval: upload, extraction, chunking, embeddings, hybrid search."""
