"""The faces of Lead Score: the `leadscore` command line (and, later, Excel macros and UDFs)."""
