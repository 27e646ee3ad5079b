import sys

from newsproc.cli import main

sys.exit(main())
