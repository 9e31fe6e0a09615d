from opencircuit_cli.cli.app import main

raise SystemExit(main())
