"""`python -m engine.cli ...` is the same as `journeys ...`."""
import sys

from engine.cli import main

if __name__ == "__main__":
    sys.exit(main())
