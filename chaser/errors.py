"""The one exception type a user can fix. Everything else is a bug (exit 1)."""


class ChaserError(Exception):
    """A problem the user can fix (bad input, bad config, an unreachable CRM, a corrupt file).

    The CLI prints it as one line, `chaser: error: <message>`, and exits 2. The message names
    the file, line, key or person at fault, and never contains a secret.
    """
