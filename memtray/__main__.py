from memtray.cli import main

raise SystemExit(main())
