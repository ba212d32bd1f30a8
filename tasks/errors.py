"""Errors that decide retries: transient ones are retried with backoff, terminal ones fail the run at once."""


class TransientError(Exception):
    """A failure that may pass: the warehouse is busy, a network or server hiccup."""


class TerminalError(Exception):
    """A failure that no retry fixes: bad configuration, a warehouse newer than this newsflow."""
