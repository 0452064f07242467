"""Infrastructure as code: adapters turn each format into one typed model whose values
carry their file and line; checks read that model, never raw HCL or YAML."""
