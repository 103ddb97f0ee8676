"""``python -m anymagic``: the same as the ``anymagic`` command."""

from anymagic.hosts.cli import main

raise SystemExit(main())
