"""`python -m lib …` (run from the project root): see lib/cli.py."""
from lib.cli import main

raise SystemExit(main())
