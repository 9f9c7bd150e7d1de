import sys

from exhibit.cli import main

sys.exit(main())
