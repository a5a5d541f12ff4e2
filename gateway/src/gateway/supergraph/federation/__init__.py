"""One module per join-spec / core-spec directive, each reading its directive from the AST."""
