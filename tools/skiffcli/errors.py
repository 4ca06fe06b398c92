"""The one exception the command raises for a user's mistake or a failure it
can explain: a one-line message and the exit status to leave with."""


class SkiffError(Exception):
    def __init__(self, message, status=2):
        super().__init__(message)
        self.message = message
        self.status = status


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP outside a guest's run loop (which handles
    them itself): whatever was running is stopped, and skiff exits with
    128 + the signal's number."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def usage_error(message):
    """A mistake on the command line: status 2, as argparse and coreutils."""
    return SkiffError(message, 2)


def failure(message, status=1):
    """Something that went wrong while doing what was asked."""
    return SkiffError(message, status)
