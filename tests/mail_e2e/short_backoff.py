"""`python -m tests.mail_e2e.short_backoff SECONDS <celery arguments>`: `celery` itself, with the
outbox's first wait after a temporary SMTP error shortened from 30 s to SECONDS.

The retry tests need the real worker's own retry (through the broker, with its countdown) to
happen within the test; everything else about the worker is unchanged.
"""

import sys
from datetime import timedelta
from typing import Any

from celery.__main__ import main
from celery.signals import worker_process_init


def main_with_short_backoff(seconds: int) -> None:
    @worker_process_init.connect(weak=False)
    def shorten_backoff(**kwargs: Any) -> None:  # in each pool process, Django set up
        from groups import outbox

        outbox.BACKOFF_FIRST = timedelta(seconds=seconds)

    sys.argv = ["celery", *sys.argv[2:]]
    main()


if __name__ == "__main__":
    main_with_short_backoff(int(sys.argv[1]))
