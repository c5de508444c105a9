"""``python -m graph_builder`` runs the lexgraph command line."""

from .cli import main

raise SystemExit(main())
