"""``python -m alignment_stats``: the command line (:mod:`alignment_stats.cli`)."""

from .cli import run

if __name__ == "__main__":
    run()
