"""`python -m sync_client …` is `license-sync …` (for environments without the console script)."""
from .cli import main

raise SystemExit(main())
