"""Entry point of the single-file build (dist/journeys).

With no arguments it serves (`journeys serve`); with arguments it is the whole `journeys` CLI
(`journeys backup`, `journeys restore`, `journeys worker`, ...).
"""
import multiprocessing
import sys

from engine.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main(sys.argv[1:] or ["serve"]))
