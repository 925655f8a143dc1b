"""What the outside world asks of documents: upload, ingest, search, list, delete,
re-embed, resume after a restart, sweep unfinished writes, erase an owner's."""
