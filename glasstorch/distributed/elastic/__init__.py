"""torch.distributed.elastic: only what torchrun scripts import from it (``multiprocessing.errors.record``)."""
