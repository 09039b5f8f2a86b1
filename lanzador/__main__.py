"""``python -m lanzador``: lo mismo que la orden ``sincro`` (lo usa el arranque automático cuando
no hay ejecutable ``sincro`` junto al intérprete)."""

import sys

from lanzador import main

sys.exit(main())
