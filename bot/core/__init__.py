"""The adapter core every capability uses: services, rendering, button payloads, the flow
runner, the guard, and the routing of commands and buttons. It imports no capability."""
