"""``python -m ui``: la bandeja, lo mismo que ``sincro-bandeja`` o ``sincro`` sin orden."""

import sys

from ui.app import main

sys.exit(main())
