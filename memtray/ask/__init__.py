"""Ask the vault: ``memtray mcp``, a local MCP server that lets a coding agent read, search and add to the memory
this laptop holds (every laptop's, every project's, every agent's), never touching the hub.

vault_view (what may be read, and from where), masking (secrets hidden), search_index (SQLite FTS5), writing (the
calling project's own memory only), tools (what each tool does), server (the MCP SDK server), agent_config (the
setup each agent needs).
"""
