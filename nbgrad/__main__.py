import sys

from .lessons import main

sys.exit(main())
