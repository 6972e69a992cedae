import sys

from pipelines.bench.bench import main

sys.exit(main())
