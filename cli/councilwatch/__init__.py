"""The `councilwatch` command: runs the services and offers operator tools."""
