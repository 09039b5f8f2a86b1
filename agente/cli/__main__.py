"""``python -m agente.cli``: lo mismo que la orden ``sincro`` (lo usa el autoarranque cuando no
hay ejecutable ``sincro`` junto al intérprete)."""

import sys

from agente.cli import main

sys.exit(main())
