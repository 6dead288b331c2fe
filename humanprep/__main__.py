import sys

from humanprep.cli import main

sys.exit(main())
